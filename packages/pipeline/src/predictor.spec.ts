import { SPERT_DEFAULTS, type Prediction, type PredictionInput, type Predictor, type TypesSchema } from '@spert/core';
import { BertWordPieceTokenizer } from '@spert/tokenizer';
import { contextFreeRuntime } from '../test/context-free-runtime';
import { predictDocuments } from './predict';
import { createBatchingPredictor, createPredictor } from './predictor';

const types: TypesSchema = {
  entities: [{ key: 'Peop', index: 1, short: 'P', verbose: 'People' }, { key: 'Loc', index: 2, short: 'L', verbose: 'Location' }],
  relations: [{ key: 'Live_In', index: 1, short: 'LI', verbose: 'Live in', symmetric: false }],
};
const tokenizer = new BertWordPieceTokenizer({ vocab: ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'ann', 'lives', 'in', 'paris', 'bob', '.'], lowercase: true, maxLength: 16 });
const settings = { ...SPERT_DEFAULTS, types };

describe('createPredictor', () => {
  it('runs the pipeline with its options and reports the metadata', async () => {
    const runtime = contextFreeRuntime(settings, 0.5);
    let disposed = 0;
    const predictor = createPredictor({ runtime, tokenizer, batchSize: 1, onTooLong: 'error', metadata: () => ({ model: 'm', entityTypes: ['Peop', 'Loc'], relationTypes: ['Live_In'] }), dispose: () => void disposed++ });
    const inputs: PredictionInput[] = [{ kind: 'text', text: 'Ann lives in Paris.' }, { kind: 'tokens', tokens: ['Bob', 'lives'] }];
    expect(await predictor.predict(inputs)).toEqual(await predictDocuments({ runtime, tokenizer, inputs }));
    expect(runtime.spanCalls).toBe(2 + 1);
    await expect(predictor.predict([{ kind: 'tokens', tokens: new Array(20).fill('ann') }], { source: 'in.json' })).rejects.toThrow(/^in\.json: document 0 is too long/);
    expect(predictor.metadata().model).toBe('m');
    await predictor.dispose?.();
    expect(disposed).toBe(1);
  });
});

describe('createBatchingPredictor', () => {
  it('concurrent calls share one call of the wrapped predictor; a failing shared batch is re-run per caller', async () => {
    const calls: number[] = [];
    let disposed = 0;
    const inner: Predictor = {
      async predict(inputs) {
        calls.push(inputs.length);
        if (inputs.some((i) => i.kind === 'text' && i.text === 'FAIL')) throw new Error('bad document');
        return inputs.map((i): Prediction => ({ tokens: i.kind === 'text' ? [i.text] : i.tokens, entities: [], relations: [] }));
      },
      metadata: () => ({ model: 'inner', entityTypes: [], relationTypes: [] }),
      dispose: () => void disposed++,
    };
    const batching = createBatchingPredictor(inner, { maxBatch: 8, maxWaitMs: 5 });
    const [a, b] = await Promise.all([batching.predict([{ kind: 'text', text: 'x' }]), batching.predict([{ kind: 'tokens', tokens: ['y', 'z'] }, { kind: 'text', text: 'w' }])]);
    expect(a.map((p) => p.tokens)).toEqual([['x']]);
    expect(b.map((p) => p.tokens)).toEqual([['y', 'z'], ['w']]);
    expect(calls).toEqual([3]);
    expect(batching.stats).toMatchObject({ calls: 1, items: 3, largest: 3 });
    const [ok, bad] = await Promise.allSettled([batching.predict([{ kind: 'text', text: 'fine' }]), batching.predict([{ kind: 'text', text: 'FAIL' }])]);
    expect(ok.status).toBe('fulfilled');
    expect(bad.status).toBe('rejected');
    expect(batching.metadata().model).toBe('inner');
    await batching.dispose();
    expect(disposed).toBe(1);
    expect(batching.pending).toBe(0);
  });
});
