import { readDataset, readTypes, SPERT_DEFAULTS, type Document, type SpertSettings } from '@spert/core';
import { loadTokenizer, type SubwordTokenizer } from '@spert/tokenizer';
import { sharedPath } from '../../../tools/testing/shared';
import { contextFreeRuntime } from '../test/context-free-runtime';
import { predictDocuments, scoreWords } from './predict';
import { planWindows } from './windows';

const conll = (f: string) => sharedPath('datasets', 'conll04', f);
let tokenizer: SubwordTokenizer;
let settings: SpertSettings;
let test: Document[];

beforeAll(async () => {
  const types = await readTypes({ path: conll('conll04_types.json') });
  settings = { ...SPERT_DEFAULTS, types };
  tokenizer = (await loadTokenizer({ dir: sharedPath('fixtures', 'spert-scratch-conll04') })).tokenizer;
  test = (await readDataset({ path: conll('conll04_test.json'), types })).documents;
});

const tokensOf = (docs: string[][]) => docs.map((tokens) => ({ kind: 'tokens' as const, tokens }));

describe('predictDocuments on a context-free runtime', () => {
  it('does not depend on the batch size and gives one result per input, in order', async () => {
    const docs = test.slice(0, 30).map((d) => d.tokens);
    const a = await predictDocuments({ runtime: contextFreeRuntime(settings), tokenizer, inputs: tokensOf(docs), batchSize: 1 });
    const b = await predictDocuments({ runtime: contextFreeRuntime(settings), tokenizer, inputs: tokensOf(docs), batchSize: 8 });
    expect(b).toEqual(a);
    a.forEach((p, i) => expect(p.tokens).toEqual(docs[i]));
    expect(a.reduce((n, p) => n + p.entities.length, 0)).toBeGreaterThan(30);
    expect(a.reduce((n, p) => n + p.relations.length, 0)).toBeGreaterThan(10);
  });

  it('a ~2,000-word document of CoNLL04 test sentences: every sentence wholly inside a window gets what it gets alone', async () => {
    const sentences: string[][] = [];
    let words = 0;
    for (const d of test) {
      if (words >= 2000) break;
      sentences.push(d.tokens);
      words += d.tokens.length;
    }
    const long = sentences.flat();
    const starts = sentences.map((_, i) => sentences.slice(0, i).reduce((n, s) => n + s.length, 0));
    // Few entities: the pairs of a 500-word window grow with their square.
    const runtime = contextFreeRuntime(settings, 0.01);
    const [merged] = await predictDocuments({ runtime, tokenizer, inputs: tokensOf([long]), stride: 200 });
    const alone = await predictDocuments({ runtime, tokenizer, inputs: tokensOf(sentences) });
    const windows = planWindows({ wordLengths: long.map((w) => tokenizer.encodeWord(w).length), maxSubwords: tokenizer.maxLength - tokenizer.numSpecialTokens, stride: 200 });
    expect(windows.length).toBeGreaterThan(3);
    expect(merged.windows).toBe(windows.length);
    expect(merged.tokens).toEqual(long);
    let checked = 0;
    let relations = 0;
    sentences.forEach((s, i) => {
      const [from, to] = [starts[i], starts[i] + s.length];
      if (!windows.some(([ws, we]) => ws <= from && to <= we)) return;
      checked++;
      const inside = merged.entities.map((e, k) => ({ e, k })).filter(({ e }) => e.start >= from && e.end <= to);
      expect(inside.map(({ e }) => ({ ...e, start: e.start - from, end: e.end - from }))).toEqual(alone[i].entities);
      const local = new Map(inside.map(({ k }, j) => [k, j]));
      const rels = merged.relations
        .filter((r) => local.has(r.head) && local.has(r.tail))
        .map((r) => ({ ...r, head: local.get(r.head), tail: local.get(r.tail) }));
      const sortKey = (r: { head?: number; tail?: number; type: string }) => `${r.head}|${r.tail}|${r.type}`;
      expect([...rels].sort((x, y) => sortKey(x).localeCompare(sortKey(y)))).toEqual([...alone[i].relations].sort((x, y) => sortKey(x).localeCompare(sortKey(y))));
      relations += rels.length;
    });
    expect(checked).toBeGreaterThan(sentences.length * 0.8);
    expect(relations).toBeGreaterThan(10);
  });

  it("onTooLong 'error' fails before any model call naming file and document; 'truncate' drops trailing words", async () => {
    const long = Array.from({ length: 600 }, (_, i) => `w${i}`);
    const runtime = contextFreeRuntime(settings);
    await expect(predictDocuments({ runtime, tokenizer, inputs: tokensOf([['a'], long]), onTooLong: 'error', source: 'docs.json' })).rejects.toThrow(/^docs\.json: document 1 is too long/);
    expect(runtime.spanCalls).toBe(0);
    const [t] = await predictDocuments({ runtime, tokenizer, inputs: tokensOf([long]), onTooLong: 'truncate' });
    expect(t.tokens).toHaveLength(600);
    const kept = tokenizer.encodeWords(long, { onTooLong: 'truncate' }).wordRanges.length;
    for (const e of t.entities) expect(e.end).toBeLessThanOrEqual(kept);
    await expect(predictDocuments({ runtime, tokenizer, inputs: tokensOf([long]), onTooLong: 'split' as never })).rejects.toThrow(/onTooLong must be one of window, error, truncate/);
  });

  it('raw text: words from the one splitter, character offsets on words and entities; empty documents never reach the runtime', async () => {
    const text = 'Mr. Smith doesn\'t work for the U.S. Army, says jane.doe@example.com (1,200 people) 🎉.';
    const runtime = contextFreeRuntime(settings, 0.5);
    const [p, empty, none] = await predictDocuments({ runtime, tokenizer, inputs: [{ kind: 'text', text }, { kind: 'text', text: ' \u200b ' }, { kind: 'tokens', tokens: [] }] });
    expect(p.charOffsets).toHaveLength(p.tokens.length);
    p.charOffsets?.forEach(([s, e], i) => expect(text.slice(s, e)).toBe(p.tokens[i]));
    expect(p.entities.length).toBeGreaterThan(0);
    for (const e of p.entities) expect([e.charStart, e.charEnd]).toEqual([p.charOffsets?.[e.start][0], p.charOffsets?.[e.end - 1][1]]);
    expect(empty).toEqual({ tokens: [], entities: [], relations: [], charOffsets: [] });
    expect(none).toEqual({ tokens: [], entities: [], relations: [] });
    expect(runtime.spanCalls).toBe(1);
  });

  it('reports progress per batch up to the total, and names bad inputs', async () => {
    const calls: Array<[number, number]> = [];
    await predictDocuments({ runtime: contextFreeRuntime(settings), tokenizer, inputs: tokensOf(test.slice(0, 5).map((d) => d.tokens)), batchSize: 2, onProgress: (d, t) => calls.push([d, t]) });
    expect(calls.at(-1)).toEqual([5, 5]);
    expect(calls.length).toBe(3);
    await expect(predictDocuments({ runtime: contextFreeRuntime(settings), tokenizer, inputs: [{ kind: 'tokens', tokens: ['a', 3 as unknown as string] }], source: 'x.json', offset: 10 })).rejects.toThrow('x.json: document 10, word 1: expected a string, got number');
  });

  it('scoreWords chunks relation pairs by max_pairs without changing any score', async () => {
    const docs = test.slice(0, 6).map((d) => d.tokens);
    const whole = await scoreWords({ runtime: contextFreeRuntime(settings, 0.05), tokenizer, documents: docs });
    const chunked = await scoreWords({ runtime: contextFreeRuntime({ ...settings, maxPairs: 7 }, 0.05), tokenizer, documents: docs });
    expect(whole.some((s) => s.pairs.length > 7)).toBe(true);
    expect(chunked).toEqual(whole);
  });

  it.each(['sentence', 'cls', 'none'] as const)('hands the runtime the %s context range of every pair (the model\'s relation_context)', async (relationContext) => {
    const docs = test.slice(0, 6).map((d) => d.tokens);
    const runtime = contextFreeRuntime({ ...settings, relationContext }, 0.05);
    const seen: Array<{ lengths: number[]; contexts: Int32Array; pairs: Int32Array; P: number }> = [];
    const scoreSpans = runtime.scoreSpans.bind(runtime);
    runtime.scoreSpans = async (input) => {
      const scored = await scoreSpans(input);
      const [B, T] = input.attentionMask.shape;
      const lengths = Array.from({ length: B }, (_, b) => input.attentionMask.data.subarray(b * T, (b + 1) * T).reduce((a, v) => a + v, 0));
      const scorePairs = scored.scorePairs.bind(scored);
      return {
        ...scored,
        scorePairs: (p) => {
          seen.push({ lengths, contexts: p.contexts.data, pairs: p.pairs.data, P: p.pairs.shape[1] });
          return scorePairs(p);
        },
      };
    };
    await scoreWords({ runtime, tokenizer, documents: docs, batchSize: 8 });
    expect(seen).toHaveLength(1);
    const { lengths, contexts, pairs, P } = seen[0];
    let checked = 0;
    lengths.forEach((n, b) => {
      // [CLS] w1 .. wk [SEP]: the sentence is [1, n - 1)
      const want = relationContext === 'sentence' ? [1, n - 1] : relationContext === 'cls' ? [0, 1] : [0, 0];
      for (let p = 0; p < P; p++) {
        const o = (b * P + p) * 2;
        if (pairs[o] === pairs[o + 1]) continue; // padding row
        expect([contexts[o], contexts[o + 1]]).toEqual(want);
        checked++;
      }
    });
    expect(checked).toBeGreaterThan(10);
  });
});
