"""Writes a randomly initialised BERT directory (transformers' layout: config.json,
pytorch_model.bin without the `bert.` prefix, vocab.txt, words.json for the tokenizer stand-in)
for the reference's `spert.py train` to start from, as a scratch run does.
usage: python3 make_scratch_bert.py DUMP_DIR OUT_DIR --hidden H --layers L --heads A --intermediate I [--seed S]"""
import argparse
import shutil
import sys

sys.path.insert(0, __file__.rsplit('/', 1)[0])
import torch  # noqa: E402
from transformers import BertConfig, BertModel, BertTokenizer  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument('dump'), p.add_argument('out')
p.add_argument('--hidden', type=int, default=256)
p.add_argument('--layers', type=int, default=4)
p.add_argument('--heads', type=int, default=4)
p.add_argument('--intermediate', type=int, default=1024)
p.add_argument('--seed', type=int, default=0)
a = p.parse_args()
torch.manual_seed(a.seed)
tok = BertTokenizer(f'{a.dump}/words.json')
config = BertConfig(vocab_size=tok.vocab_size, hidden_size=a.hidden, num_hidden_layers=a.layers,
                    num_attention_heads=a.heads, intermediate_size=a.intermediate)
model = BertModel(config)
model.init_weights()
model.save_pretrained(a.out)
tok.save_pretrained(a.out)
print(f'{a.out}: vocabulary {tok.vocab_size}, hidden {a.hidden}, {a.layers} layers')
