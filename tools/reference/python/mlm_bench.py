"""The PyTorch side of the masked-LM speed comparison (docs/benchmarks.md): Hugging Face's
BertForMaskedLM (the stand-in in transformers/__init__.py: modeling_bert's embeddings, post-LN
layers, erf GELU, the cls.predictions head with the decoder tied to the word embeddings and applied
at every position), random init, dropout 0.1, torch.optim.AdamW, cross-entropy over the labelled
positions (15% of the tokens, BERT's 80/10/10 rule, -100 elsewhere).

  python3 mlm_bench.py check [FIXTURE]      # the stand-in against Hugging Face's own numbers
  python3 mlm_bench.py bench --threads 1 --hidden 256 --layers 4 --heads 4 --intermediate 1024 \\
      --vocab 30522 --batch 32 --length 128 --warmup 3 --steps 10

`check` loads ../shared/fixtures/tiny-bert-mlm/pytorch_model.bin and model.safetensors (the form
without the decoder matrix, read without the safetensors module) and compares logits, loss and
float64 gradients with expected_mlm.json. `bench` times training steps (zero_grad, forward,
loss, backward, AdamW step) after a few warm-up steps and prints one JSON line: the median, min
and max seconds per step, tokens/s at the median (batch x length tokens a step) and peak RSS
(ru_maxrss), with the process's CPU seconds per step beside the wall-clock ones (on a machine
shared with other work the wall clock includes waiting for a core) and the load average. Run
one configuration per process so that peak RSS is that configuration's own.
A tool, not a test: CI has no PyTorch.
"""
import argparse
import json
import os
import platform
import resource
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from transformers import BertConfig, BertForMaskedLM  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_FIXTURE = os.path.normpath(os.path.join(HERE, '../../../../shared/fixtures/tiny-bert-mlm'))


def _max_abs(a, b, mask=None):
    d = (a - b).abs()
    if mask is not None:
        d = d * mask
    return d.max().item()


def read_safetensors(file):
    """A safetensors file without the safetensors module (Debian has none): an 8-byte little-endian
    header length, a JSON header of name -> dtype, shape, data_offsets, then the raw tensors."""
    dtypes = {'F32': torch.float32, 'F64': torch.float64, 'F16': torch.float16, 'BF16': torch.bfloat16, 'I64': torch.int64, 'I32': torch.int32}
    with open(file, 'rb') as f:
        raw = f.read()
    n = int.from_bytes(raw[:8], 'little')
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    out = {}
    for name, t in header.items():
        if name == '__metadata__':
            continue
        start, end = t['data_offsets']
        out[name] = torch.frombuffer(bytearray(data[start:end]), dtype=dtypes[t['dtype']]).reshape(t['shape'])
    return out


def check(fixture):
    """Hugging Face's logits (1e-5), loss (1e-5) and float64 gradients (1e-6 relative) from both
    weight files; returns True when every comparison holds."""
    exp = json.load(open(os.path.join(fixture, 'expected_mlm.json')))
    config = BertConfig.from_pretrained(fixture, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
    ids = torch.tensor(exp['input_ids'])
    mask = torch.tensor(exp['attention_mask'])
    types = torch.tensor(exp['token_type_ids'])
    labels = torch.tensor(exp['labels'])
    keep = mask.unsqueeze(-1).double()
    states = {'pytorch_model.bin': torch.load(os.path.join(fixture, 'pytorch_model.bin'), map_location='cpu')}
    states['model.safetensors'] = read_safetensors(os.path.join(fixture, 'model.safetensors'))
    ok = True

    def report(name, value, tol):
        nonlocal ok
        good = value <= tol
        ok = ok and good
        print(f'  {name:<58} {value:.2e}  (<= {tol:g}: {"ok" if good else "FAIL"})')

    for file, state in states.items():
        print(f'{file}:')
        model = BertForMaskedLM(config)
        missing = model.load_hf_state_dict(state)
        if missing:
            print(f'  missing weights: {missing}')
            ok = False
        tied = model.cls.predictions.decoder.weight is model.bert.embeddings.word_embeddings.weight
        print(f'  decoder tied to word embeddings: {tied}')
        ok = ok and tied
        model.eval()
        with torch.no_grad():
            out = model(ids, attention_mask=mask.float(), token_type_ids=types, labels=labels)
        report('max |logits - expected logits| (float32, unpadded)', _max_abs(out['logits'].double(), torch.tensor(exp['logits'], dtype=torch.float64), keep), 1e-5)
        report('|loss - expected loss| (float32)', abs(out['loss'].item() - exp['loss']), 1e-5)
        model = model.double()
        model.tie_weights()
        out = model(ids, attention_mask=mask.double(), token_type_ids=types, labels=labels)
        report('max |logits - expected logits_float64| (float64)', _max_abs(out['logits'], torch.tensor(exp['logits_float64'], dtype=torch.float64), keep), 1e-10)
        report('|loss - expected loss_float64| (float64)', abs(out['loss'].item() - exp['loss_float64']), 1e-10)
        out['loss'].backward()
        params = dict(model.named_parameters())
        for name, want in exp['grads_float64'].items():
            got = params[name].grad
            want = torch.tensor(want, dtype=torch.float64)
            report(f'grad {name} (max abs / max |expected|)', _max_abs(got, want) / want.abs().max().item(), 1e-6)
    print('check: ' + ('all within tolerance' if ok else 'FAILED'))
    return ok


def masked_batch(gen, batch, length, vocab, mask_id=103, first_normal=1000):
    """Random ids (no special tokens), [CLS]=101 and [SEP]=102 at the ends; 15% of the inner
    positions labelled, of which 80% become [MASK], 10% a random token and 10% stay."""
    lo = min(first_normal, vocab // 4)
    ids = torch.randint(lo, vocab, (batch, length), generator=gen)
    ids[:, 0], ids[:, -1] = min(101, vocab - 1), min(102, vocab - 1)
    chosen = torch.rand((batch, length), generator=gen) < 0.15
    chosen[:, 0] = chosen[:, -1] = False
    labels = torch.where(chosen, ids, torch.full_like(ids, -100))
    roll = torch.rand((batch, length), generator=gen)
    inputs = ids.clone()
    inputs[chosen & (roll < 0.8)] = min(mask_id, vocab - 1)
    rand = chosen & (roll >= 0.8) & (roll < 0.9)
    inputs[rand] = torch.randint(lo, vocab, (int(rand.sum()),), generator=gen)
    return inputs, labels


def loaded_blas():
    """The BLAS library this process runs (Debian's python3-torch calls libblas.so.3, whichever
    alternative provides it: the reference BLAS of libblas3 is an order of magnitude slower than
    OpenBLAS, from libopenblas0-openmp)."""
    torch.ones(2, 2) @ torch.ones(2, 2)
    with open('/proc/self/maps') as f:
        libs = sorted({line.split()[-1] for line in f if 'blas' in line.split()[-1]})
    return libs


def bench(a):
    blas = loaded_blas()
    if any('/blas/' in lib for lib in blas):
        print(f'warning: the reference BLAS is loaded ({blas}): apt-get install libopenblas0-openmp for PyTorch at its speed', file=sys.stderr)
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    config = BertConfig(vocab_size=a.vocab, hidden_size=a.hidden, num_hidden_layers=a.layers, num_attention_heads=a.heads,
                        intermediate_size=a.intermediate, max_position_embeddings=max(512, a.length))
    model = BertForMaskedLM(config)
    model.train()  # dropout 0.1 as in pre-training
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=0.01)
    gen = torch.Generator().manual_seed(a.seed)
    batches = [masked_batch(gen, a.batch, a.length, a.vocab) for _ in range(4)]
    attention = torch.ones((a.batch, a.length))
    times = []
    cpu = []
    losses = []
    for step in range(a.warmup + a.steps):
        inputs, labels = batches[step % len(batches)]
        t0, c0 = time.perf_counter(), time.process_time()
        opt.zero_grad(set_to_none=True)
        loss = model(inputs, attention_mask=attention, labels=labels)['loss']
        loss.backward()
        opt.step()
        dt, dc = time.perf_counter() - t0, time.process_time() - c0
        losses.append(loss.item())
        if step >= a.warmup:
            times.append(dt)
            cpu.append(dc)
    med = statistics.median(times)
    med_cpu = statistics.median(cpu)
    n_params = sum(p.numel() for p in model.parameters())
    result = {
        'shape': f'{a.hidden}x{a.layers}', 'heads': a.heads, 'intermediate': a.intermediate, 'vocab': a.vocab,
        'batch': a.batch, 'length': a.length, 'threads': a.threads, 'parameters': n_params,
        'warmup': a.warmup, 'steps': a.steps,
        'median_s_per_step': round(med, 4), 'min_s': round(min(times), 4), 'max_s': round(max(times), 4),
        'tokens_per_s': round(a.batch * a.length / med, 1),
        # CPU seconds of the process (all its threads): on a shared machine the wall-clock times
        # above include waiting for a core; with one thread this is the step's own work.
        'median_cpu_s_per_step': round(med_cpu, 4),
        'tokens_per_cpu_s': round(a.batch * a.length / med_cpu, 1),
        'loadavg_1min': round(os.getloadavg()[0], 2),
        'peak_rss_mb': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        'first_loss': round(losses[0], 4), 'last_loss': round(losses[-1], 4),
        'torch': torch.__version__, 'python': platform.python_version(), 'blas': blas,
        'OPENBLAS_CORETYPE': os.environ.get('OPENBLAS_CORETYPE'),
    }
    print(json.dumps(result))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest='cmd', required=True)
    c = sub.add_parser('check', help='compare with ../shared/fixtures/tiny-bert-mlm (Hugging Face BertForMaskedLM)')
    c.add_argument('fixture', nargs='?', default=DEFAULT_FIXTURE)
    b = sub.add_parser('bench', help='time masked-LM training steps')
    b.add_argument('--threads', type=int, default=1)
    b.add_argument('--hidden', type=int, default=256)
    b.add_argument('--layers', type=int, default=4)
    b.add_argument('--heads', type=int, default=4)
    b.add_argument('--intermediate', type=int, default=1024)
    b.add_argument('--vocab', type=int, default=30522)
    b.add_argument('--batch', type=int, default=32)
    b.add_argument('--length', type=int, default=128)
    b.add_argument('--warmup', type=int, default=3)
    b.add_argument('--steps', type=int, default=10)
    b.add_argument('--lr', type=float, default=1e-4)
    b.add_argument('--seed', type=int, default=1)
    a = p.parse_args()
    if a.cmd == 'check':
        sys.exit(0 if check(a.fixture) else 1)
    bench(a)


if __name__ == '__main__':
    main()
