"""Writes a few ADE documents that hold the cases the issue names: the longest sentence, one with
overlapping entities, one with an entity longer than the 10-word span limit, plus the first one.
usage: python3 pick_docs.py ADE_SPLIT.json OUT.json"""
import json
import sys

docs = json.load(open(sys.argv[1]))


def overlapping(d):
    es = d['entities']
    return any(a['start'] < b['end'] and b['start'] < a['end'] for i, a in enumerate(es) for b in es[i + 1:])


picked = [0]
picked.append(max(range(len(docs)), key=lambda i: len(docs[i]['tokens'])))
picked.append(next(i for i, d in enumerate(docs) if overlapping(d)))
picked.append(next(i for i, d in enumerate(docs) if any(e['end'] - e['start'] > 10 for e in d['entities'])))
out = [docs[i] for i in dict.fromkeys(picked)]
json.dump(out, open(sys.argv[2], 'w'))
print(f'documents {list(dict.fromkeys(picked))}: {[len(d["tokens"]) for d in out]} words, {[len(d["entities"]) for d in out]} entities')
