"""The PyTorch side of tools/bench/encoder.ts (docs/benchmarks.md, issue #28): the same random
bert-base-cased-sized encoder (the BertModel stand-in in transformers/__init__.py: hidden 768, 12
layers, 12 heads, intermediate 3072, vocabulary 28996), the same batch (2 x 48 word pieces, ids
(i * 7919 + 101) % vocab, the last 5 of the second sequence padded), the same training step:
zero_grad, forward in training mode (dropout 0.1), loss mean(h^2) over the last hidden state,
backward, torch.optim.AdamW (lr 1e-4, weight decay 0.01). One warm-up step, then the median of
--steps, of the whole step and of its two parts (forward + backward, AdamW); forward alone (eval
mode, no grad) timed the same way. Prints one JSON line with the
wall-clock and process CPU seconds, peak RSS and the BLAS loaded.

  OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 encoder_bench.py --threads 1 --steps 5 [--foreach] [--flush-denormal]

A tool, not a test: CI has no PyTorch.
"""
import argparse
import json
import os
import resource
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from transformers import BertConfig, BertModel  # noqa: E402
from mlm_bench import loaded_blas  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--steps', type=int, default=5)
    p.add_argument('--batch', type=int, default=2)
    p.add_argument('--length', type=int, default=48)
    p.add_argument('--seed', type=int, default=1)
    p.add_argument('--foreach', action='store_true', help="torch.optim.AdamW(foreach=True): one multi-tensor update instead of a loop over parameters")
    p.add_argument('--flush-denormal', action='store_true', help='torch.set_flush_denormal(True): denormal floats (tiny AdamW moments) flushed to zero')
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.set_flush_denormal(a.flush_denormal)
    torch.manual_seed(a.seed)
    vocab, B, T = 28996, a.batch, a.length
    model = BertModel(BertConfig(vocab_size=vocab, hidden_size=768, num_hidden_layers=12, num_attention_heads=12, intermediate_size=3072))
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01, foreach=a.foreach)
    ids = torch.tensor([(i * 7919 + 101) % vocab for i in range(B * T)]).view(B, T)
    mask = torch.tensor([1.0 if (i % T < T - 5 or i < T) else 0.0 for i in range(B * T)]).view(B, T)

    model.eval()
    forward = []
    with torch.no_grad():
        for i in range(a.steps + 1):
            t0 = time.perf_counter()
            model(ids, attention_mask=mask)
            if i > 0:
                forward.append(time.perf_counter() - t0)

    model.train()
    wall, cpu, fwd_bwd, adamw = [], [], [], []
    for i in range(a.steps + 1):
        t0, c0 = time.perf_counter(), time.process_time()
        opt.zero_grad(set_to_none=True)
        h = model(ids, attention_mask=mask)['last_hidden_state']
        (h * h).mean().backward()
        t1 = time.perf_counter()
        opt.step()
        if i > 0:
            t2 = time.perf_counter()
            wall.append(t2 - t0)
            fwd_bwd.append(t1 - t0)
            adamw.append(t2 - t1)
            cpu.append(time.process_time() - c0)
    print(json.dumps({
        'threads': a.threads, 'foreach': a.foreach, 'flush_denormal': a.flush_denormal, 'batch': B, 'length': T, 'steps': a.steps,
        'parameters': sum(q.numel() for q in model.parameters()),
        'forward_s': round(statistics.median(forward), 4),
        'step_s': round(statistics.median(wall), 4), 'step_min_s': round(min(wall), 4), 'step_max_s': round(max(wall), 4),
        'step_cpu_s': round(statistics.median(cpu), 4),
        'forward_backward_s': round(statistics.median(fwd_bwd), 4), 'adamw_s': round(statistics.median(adamw), 4),
        'peak_rss_mb': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        'loadavg_1min': round(os.getloadavg()[0], 2),
        'torch': torch.__version__, 'blas': loaded_blas(), 'OPENBLAS_CORETYPE': os.environ.get('OPENBLAS_CORETYPE'),
    }))


if __name__ == '__main__':
    main()
