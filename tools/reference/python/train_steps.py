"""Trains the reference SpERT model (lavis-nlp/spert's models.SpERT, sampling and SpERTLoss,
unchanged; BERT from the transformers stand-in) for a few steps on one fixed batch and writes the
initial model directory, the loss of every step and the inference outputs after the last step,
for train-steps.ts to reproduce with our trainer from the same initial weights.

usage: python3 train_steps.py SPERT_REF_DIR TYPES.json DOCS.json DUMP_DIR OUT_DIR [--steps K]
       [--hidden H --layers L --heads A --intermediate I] [--lr LR] [--seed S]

Every negative is kept (counts above the pool sizes) and dropout is 0 everywhere, so one step is
a deterministic function of the weights: the batch is all of DOCS, and the loss, a mean over the
samples, does not depend on their order."""
import argparse
import json
import math
import os
import random
import shutil
import sys

sys.path.insert(0, __file__.rsplit('/', 1)[0])
p = argparse.ArgumentParser()
p.add_argument('ref'), p.add_argument('types'), p.add_argument('docs'), p.add_argument('dump'), p.add_argument('out')
p.add_argument('--steps', type=int, default=30)
p.add_argument('--hidden', type=int, default=256)
p.add_argument('--layers', type=int, default=4)
p.add_argument('--heads', type=int, default=4)
p.add_argument('--intermediate', type=int, default=1024)
p.add_argument('--lr', type=float, default=5e-4)
p.add_argument('--seed', type=int, default=1)
a = p.parse_args()
sys.path.insert(0, a.ref)

import torch  # noqa: E402
from transformers import AdamW, BertConfig, BertTokenizer, get_linear_schedule_with_warmup  # noqa: E402
from spert import models, sampling  # noqa: E402
from spert.entities import Dataset  # noqa: E402
from spert.input_reader import JsonInputReader  # noqa: E402
from spert.loss import SpERTLoss  # noqa: E402

torch.manual_seed(a.seed)
random.seed(a.seed)
torch.set_num_threads(2)
ALL = 10 ** 9
tokenizer = BertTokenizer(f'{a.dump}/words.json')
reader = JsonInputReader(a.types, tokenizer, neg_entity_count=ALL, neg_rel_count=ALL, max_span_size=10)
dataset = reader.read(a.docs, 'docs')
config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=a.hidden, num_hidden_layers=a.layers,
                    num_attention_heads=a.heads, intermediate_size=a.intermediate,
                    hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0, spert_version=models.SpERT.VERSION)
model = models.SpERT(config, cls_token=tokenizer.convert_tokens_to_ids('[CLS]'),
                     relation_types=reader.relation_type_count - 1, entity_types=reader.entity_type_count,
                     size_embedding=25, prop_drop=0.0, freeze_transformer=False, max_pairs=1000)

init_dir = f'{a.out}/init'
model.save_pretrained(init_dir)
shutil.copy(f'{a.dump}/vocab.txt', f'{init_dir}/vocab.txt')
# the reference ignores this key; our loader reads prop_drop from it (the reference passes it as an argument)
cfg = json.load(open(f'{init_dir}/config.json'))
cfg['spert'] = {'prop_drop': 0.0}
json.dump(cfg, open(f'{init_dir}/config.json', 'w'), indent=2)
json.dump({'do_lower_case': False}, open(f'{init_dir}/tokenizer_config.json', 'w'))

# the reference's optimizer set-up (spert_trainer._get_optimizer_params, train())
no_decay = ['bias', 'LayerNorm.bias', 'LayerNorm.weight']
params = list(model.named_parameters())
groups = [{'params': [q for n, q in params if not any(nd in n for nd in no_decay)], 'weight_decay': 0.01},
          {'params': [q for n, q in params if any(nd in n for nd in no_decay)], 'weight_decay': 0.0}]
optimizer = AdamW(groups, lr=a.lr, weight_decay=0.01, correct_bias=False)
scheduler = get_linear_schedule_with_warmup(optimizer, num_warmup_steps=a.steps * 0.1, num_training_steps=a.steps)
loss = SpERTLoss(torch.nn.BCEWithLogitsLoss(reduction='none'), torch.nn.CrossEntropyLoss(reduction='none'), model, optimizer, scheduler, 1.0)

dataset.switch_mode(Dataset.TRAIN_MODE)
batch = sampling.collate_fn_padding([dataset[i] for i in range(len(dataset))])
losses = []
model.zero_grad()
for step in range(a.steps):
    model.train()
    entity_logits, rel_logits = model(encodings=batch['encodings'], context_masks=batch['context_masks'],
                                      entity_masks=batch['entity_masks'], entity_sizes=batch['entity_sizes'],
                                      relations=batch['rels'], rel_masks=batch['rel_masks'])
    losses.append(loss.compute(entity_logits=entity_logits, rel_logits=rel_logits, rel_types=batch['rel_types'],
                               entity_types=batch['entity_types'], entity_sample_masks=batch['entity_sample_masks'],
                               rel_sample_masks=batch['rel_sample_masks']))

# inference, one document at a time (no padding), as the reference's _eval computes it
model.eval()
dataset.switch_mode(Dataset.EVAL_MODE)
outputs = []
with torch.no_grad():
    for i in range(len(dataset)):
        s = sampling.collate_fn_padding([dataset[i]])
        entity_clf, rel_clf, rels = model(encodings=s['encodings'], context_masks=s['context_masks'],
                                          entity_masks=s['entity_masks'], entity_sizes=s['entity_sizes'],
                                          entity_spans=s['entity_spans'], entity_sample_masks=s['entity_sample_masks'],
                                          inference=True)
        kept = int((entity_clf[0].argmax(-1) != 0).sum())
        n_pairs = kept * (kept - 1)
        outputs.append({'entity_probs': entity_clf[0].tolist(),
                        'relation_candidates': rels[0][:n_pairs].tolist(),
                        'relation_probs': rel_clf[0][:n_pairs].tolist()})
json.dump({'losses': losses, 'outputs': outputs}, open(f'{a.out}/reference_steps.json', 'w'))
print(json.dumps({'steps': a.steps, 'first_losses': losses[:3], 'last_loss': losses[-1],
                  'entities_kept': [sum(1 for p in o['entity_probs'] if max(range(len(p)), key=p.__getitem__) != 0) for o in outputs]}))
