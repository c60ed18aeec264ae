"""Scores a predictions file (SpERT's dataset schema, word offsets: what spert-eval, spert-train
and the reference's store_predictions write) with the reference's own Evaluator, with and without
no_overlapping, and prints its 18 numbers as JSON, for comparison with our evaluator's.

usage: python3 ref_eval.py SPERT_REF_DIR TYPES.json GOLD.json PREDICTIONS.json DUMP_DIR"""
import io
import json
import sys
from contextlib import redirect_stdout

sys.path.insert(0, __file__.rsplit('/', 1)[0])
ref_dir, types_path, gold_path, pred_path, dump_dir = sys.argv[1:6]
sys.path.insert(0, ref_dir)
from transformers import BertTokenizer  # noqa: E402  (the stand-in: our word table)
from spert import prediction  # noqa: E402
from spert.evaluator import Evaluator  # noqa: E402
from spert.input_reader import JsonInputReader  # noqa: E402

tokenizer = BertTokenizer(f'{dump_dir}/words.json')
reader = JsonInputReader(types_path, tokenizer, neg_entity_count=100, neg_rel_count=100, max_span_size=10)
gold = reader.read(gold_path, 'gold')
preds = json.load(open(pred_path))
assert len(preds) == len(gold.documents), (len(preds), len(gold.documents))

out = {}
for no_overlapping in (False, True):
    ev = Evaluator(gold, reader, tokenizer, 0.4, no_overlapping, '/dev/null', '/dev/null', 0)
    for doc, p in zip(gold.documents, preds):
        assert [t.phrase for t in doc.tokens] == p['tokens'], 'documents out of order'
        toks = doc.tokens
        ents = []
        for e in p['entities']:
            ents.append((toks[e['start']].span_start, toks[e['end'] - 1].span_end, reader.entity_types[e['type']], e.get('score', 1.0)))
        rels = []
        for r in p['relations']:
            h, t = ents[r['head']], ents[r['tail']]
            rel = ((h[0], h[1], h[2]), (t[0], t[1], t[2]), reader.relation_types[r['type']])
            rels.append(tuple(list(prediction._adjust_rel(rel)) + [r.get('score', 1.0)]))
        if no_overlapping:
            ents, rels = prediction.remove_overlapping(ents, rels)
        ev._pred_entities.append(ents)
        ev._pred_relations.append(rels)
    with redirect_stdout(io.StringIO()):
        ner, rel, rel_nec = ev.compute_scores()
    out['no_overlapping' if no_overlapping else 'all'] = {'ner': ner, 'rel': rel, 'rel_nec': rel_nec}
print(json.dumps(out, indent=1))
