"""Holds our span sampler's output (dump-samples.ts) against the reference SpERT code's own
JsonInputReader, create_train_sample and create_eval_sample on the same documents and input ids.

usage: python3 compare_samples.py SPERT_REF_DIR TYPES.json DOCS.json DUMP_DIR [--limit N]

Negative sampling is random on both sides, so every negative is kept (counts above any pool
size) and the pools are compared as multisets; everything else (input ids, gold spans and their
order, gold pairs and their order, widths, labels, context masks, the inference candidates and
their order) must be equal exactly."""
import collections
import json
import sys

sys.path.insert(0, __file__.rsplit('/', 1)[0])
ref_dir, types_path, docs_path, dump_dir = sys.argv[1:5]
limit = int(sys.argv[sys.argv.index('--limit') + 1]) if '--limit' in sys.argv else None
sys.path.insert(0, ref_dir)

import torch  # noqa: E402
from transformers import BertTokenizer  # noqa: E402  (the stand-in: our word table)
from spert import sampling  # noqa: E402
from spert.input_reader import JsonInputReader  # noqa: E402

ALL = 10 ** 9
tokenizer = BertTokenizer(f'{dump_dir}/words.json')
reader = JsonInputReader(types_path, tokenizer, neg_entity_count=ALL, neg_rel_count=ALL, max_span_size=10)
dataset = reader.read(docs_path, 'docs')
ours = json.load(open(f'{dump_dir}/samples.json'))
rel_type_count = reader.relation_type_count
docs = dataset.documents[:limit] if limit else dataset.documents
assert len(ours) >= len(docs), (len(ours), len(docs))


def mask_range(m):
    idx = m.nonzero().view(-1).tolist()
    if not idx:
        return (0, 0)
    assert idx == list(range(idx[0], idx[-1] + 1)), 'a mask that is not one range'
    return (idx[0], idx[-1] + 1)


stats = collections.Counter()
problems = []
for i, doc in enumerate(docs):
    o = ours[i]
    ref = sampling.create_train_sample(doc, ALL, ALL, 10, rel_type_count)
    ev = sampling.create_eval_sample(doc, 10)
    where = f'document {i}'
    if ref['encodings'].tolist() != o['inputIds']:
        problems.append(f'{where}: input ids differ')
        continue
    n_pos = len(doc.entities)
    ref_spans = [mask_range(m) for m in ref['entity_masks']] if ref['entity_sample_masks'].any() else []
    ref_sizes = ref['entity_sizes'].tolist() if ref_spans else []
    ref_types = ref['entity_types'].tolist() if ref_spans else []
    our_spans = [tuple(r) for r in o['spanRanges']]
    # gold spans: same order, widths, labels
    if ref_spans[:n_pos] != our_spans[:n_pos] or ref_sizes[:n_pos] != o['spanWidths'][:n_pos] or ref_types[:n_pos] != o['spanLabels'][:n_pos]:
        problems.append(f'{where}: gold spans differ')
    # negative spans: the same pool (multiset of wordpiece range + width + label 0)
    ref_neg = collections.Counter(zip(ref_spans[n_pos:], ref_sizes[n_pos:], ref_types[n_pos:]))
    our_neg = collections.Counter(zip(our_spans[n_pos:], o['spanWidths'][n_pos:], o['spanLabels'][n_pos:]))
    if ref_neg != our_neg:
        problems.append(f'{where}: negative span pools differ ({sum(ref_neg.values())} vs {sum(our_neg.values())})')
    # pairs, by the spans they join (indices into each side's own span list)
    has_rels = bool(ref['rel_sample_masks'].any())
    ref_pairs = [(ref_spans[a], ref_spans[b]) for a, b in ref['rels'].tolist()] if has_rels else []
    ref_ctx = [mask_range(m) for m in ref['rel_masks']] if has_rels else []
    ref_lab = [tuple(int(x) for x in t) for t in ref['rel_types'].tolist()] if has_rels else []
    our_pairs = [(our_spans[a], our_spans[b]) for a, b in o['pairs']]
    our_ctx = [tuple(c) for c in o['pairContexts']]
    our_lab = [tuple(l) for l in o['pairLabels']]
    n_pos_pairs = sum(1 for l in ref_lab if any(l))
    if list(zip(ref_pairs, ref_ctx, ref_lab))[:n_pos_pairs] != list(zip(our_pairs, our_ctx, our_lab))[:n_pos_pairs]:
        problems.append(f'{where}: positive pairs differ')
    if collections.Counter(zip(ref_pairs, ref_ctx, ref_lab)) != collections.Counter(zip(our_pairs, our_ctx, our_lab)):
        problems.append(f'{where}: pair pools differ ({len(ref_pairs)} vs {len(our_pairs)})')
    # inference candidates: same spans in the same order, same widths
    ev_spans = [mask_range(m) for m in ev['entity_masks']]
    if ev_spans != [tuple(r) for r in o['evalSpanRanges']] or ev['entity_sizes'].tolist() != o['evalSpanWidths']:
        problems.append(f'{where}: inference candidates differ')
    stats['documents'] += 1
    stats['gold spans'] += n_pos
    stats['negative spans'] += len(ref_spans) - n_pos
    stats['positive pairs'] += n_pos_pairs
    stats['negative pairs'] += len(ref_pairs) - n_pos_pairs
    stats['inference candidates'] += len(ev_spans)
    stats['gold spans wider than 10 words'] += sum(1 for w in ref_sizes[:n_pos] if w > 10)
    stats['empty contexts'] += sum(1 for c in ref_ctx if c == (0, 0))

print(json.dumps(dict(stats), indent=1))
print(f'{len(problems)} document(s) differ')
for p in problems[:20]:
    print(' ', p)
sys.exit(1 if problems else 0)
