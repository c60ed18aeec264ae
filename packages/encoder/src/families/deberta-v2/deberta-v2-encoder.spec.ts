import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { useBackend } from '@spert/backend';
import { makeDebertaV2Config, parseDebertaV2Config, readSafetensors, type DebertaV2ConfigFields, type NamedTensor } from '@spert/checkpoint';
import { loadTokenizer } from '@spert/tokenizer';
import { sharedPath } from '../../../../../tools/testing/shared';
import { createEncoder } from '../../registry';
import { debertaV2ForwardFloat64 } from '../../testing/deberta-float64';
import { describeEncoderConformance, maxDiff, runEncoder } from '../../testing/encoder-conformance';
import { DebertaV2Encoder } from './deberta-v2-encoder';

const fixtureDir = path.dirname(sharedPath('fixtures', 'tiny-deberta-v3', 'config.json'));
const fixture = (f: string) => path.join(fixtureDir, f);
const tinyConfig = () => parseDebertaV2Config(readFileSync(fixture('config.json'), 'utf8'));
interface ExpectedHidden {
  input_ids: number[][];
  attention_mask: number[][];
  lengths: number[];
  last_hidden_state: number[][][];
  last_hidden_state_float64: number[][][];
}
const expected = () => JSON.parse(readFileSync(fixture('expected_hidden_states.json'), 'utf8')) as ExpectedHidden;
const weightsFrom = (file: string): Map<string, NamedTensor> => readSafetensors(new Uint8Array(readFileSync(fixture(file))), file).tensors;

const run = (enc: DebertaV2Encoder, ids: number[][], mask: number[][], training = false, types?: number[][]) => runEncoder(enc, { ids, mask, types }, training);

/** Configs small enough for float64 loops and finite differences; 4 buckets so that short inputs reach the log range. */
const small = (o: Partial<DebertaV2ConfigFields> = {}) =>
  makeDebertaV2Config({ vocab_size: 23, hidden_size: 8, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 12, max_position_embeddings: 16, position_buckets: 4, max_relative_positions: 8, ...o });

/** The float64 forward cases' batch: padding, and token types when the config has them. */
function forwardBatch(o: Partial<DebertaV2ConfigFields>) {
  const ids = [[1, 5, 7, 22, 9, 9, 13, 4, 6, 2], [1, 4, 2, 0, 0, 0, 0, 0, 0, 0]];
  const mask = ids.map((r) => r.map((id, t) => (id !== 0 || t === 0 ? 1 : 0)));
  const types = small(o).type_vocab_size > 0 ? [[0, 0, 0, 0, 1, 1, 1, 1, 1, 1], [0, 1, 1, 0, 0, 0, 0, 0, 0, 0]] : undefined;
  return [{ ids, mask, types }];
}

// 7 tokens: relative offsets up to ±6 pass the 4-bucket log range and the clamps
const gradientIds = [[1, 5, 7, 3, 9, 11, 2], [1, 4, 6, 2, 0, 0, 0]];
const gradientBatch = { ids: gradientIds, mask: gradientIds.map((r) => r.map((id) => (id !== 0 ? 1 : 0))) };

const forwardCases: Array<[string, Partial<DebertaV2ConfigFields>]> = [
  ['DeBERTa-v3 (buckets, shared keys, c2p + p2c, layer-normed relative embeddings)', {}],
  ['no buckets, own position projections, c2p only, no relative LayerNorm', { position_buckets: -1, max_relative_positions: 3, share_att_key: false, pos_att_type: ['c2p'], norm_rel_ebd: 'none' }],
  ['p2c only with own projections, absolute positions and token types', { share_att_key: false, pos_att_type: ['p2c'], position_biased_input: true, type_vocab_size: 2 }],
  ['no relative attention (scale still counts pos_att_type)', { relative_attention: false }],
];
const gradientCases: Array<[string, Partial<DebertaV2ConfigFields>]> = [
  ['every variable, DeBERTa-v3 shape', {}],
  ['every variable, own position projections, no buckets', { share_att_key: false, position_buckets: -1, max_relative_positions: 2, norm_rel_ebd: 'none' }],
];

describeEncoderConformance({
  name: 'DebertaV2Encoder',
  create: (o) => DebertaV2Encoder.create(o),
  fixture: {
    dir: fixtureDir,
    config: tinyConfig,
    weights: [
      ['model.safetensors', 1e-4],
      ['pytorch_model.bin', 1e-4],
    ],
    float64States: true,
    load: (config, tensors) => {
      const enc = createEncoder({ config, tensors });
      expect(enc).toBeInstanceOf(DebertaV2Encoder);
      return enc;
    },
  },
  float64: debertaV2ForwardFloat64,
  forward: forwardCases.map(([title, o]) => [title, () => small(o), forwardBatch(o)] as const),
  gradients: gradientCases.map(([title, o]) => [title, () => small(o), gradientBatch] as const),
  gradientRow: (name) => (name.includes('word_embeddings') ? 5 : -1),
  afterGradients: (grads) => {
    // the relative-position path carries gradient
    expect(Math.max(...Array.from(grads.get('encoder.rel_embeddings.weight')!, Math.abs))).toBeGreaterThan(1e-3);
  },
  small,
});

describe('DebertaV2Encoder (cpu)', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('encodes the fixture sentences through loadTokenizer exactly as the hidden-states fixture was made', async () => {
    const { tokenizer } = await loadTokenizer({ dir: fixtureDir });
    const tok = JSON.parse(readFileSync(fixture('expected_tokenization.json'), 'utf8')) as { sentences: Array<{ words: string[]; ids_per_word: number[][]; input_ids_is_split_into_words: number[] }> };
    for (const s of tok.sentences) {
      expect(s.words.map((w) => tokenizer.encodeWord(w))).toEqual(s.ids_per_word);
      expect(tokenizer.encodeWords(s.words).inputIds).toEqual(s.input_ids_is_split_into_words);
    }
    // Rows 0 and 1 of expected_hidden_states.json are sentences 0 and 3, cut to 39 pieces + [SEP].
    const e = expected();
    const ids = [0, 3].map((i) => [...tokenizer.encodeWords(tok.sentences[i].words).inputIds.slice(0, 39), tokenizer.specialIds.sep]);
    expect(ids).toEqual([e.input_ids[0].slice(0, 40), e.input_ids[1].slice(0, 40)]);
    const enc = DebertaV2Encoder.fromTensors(tinyConfig(), weightsFrom('model.safetensors'));
    const mask = ids.map((r) => r.map(() => 1));
    expect(maxDiff(run(enc, ids, mask), [0, 1].map((i) => e.last_hidden_state[i].slice(0, 40)), mask)).toBeLessThanOrEqual(1e-4);
    enc.dispose();
  });

  it('applies seeded dropout in training mode only', () => {
    const config = small();
    const ids = [[1, 5, 7, 2]];
    const mask = [[1, 1, 1, 1]];
    const a = DebertaV2Encoder.create({ config, seed: 9 });
    const b = DebertaV2Encoder.create({ config, seed: 9 });
    const evalOut = run(a, ids, mask);
    expect(run(a, ids, mask)).toEqual(evalOut);
    const t1 = run(a, ids, mask, true);
    expect(maxDiff(t1, evalOut, mask)).toBeGreaterThan(1e-3);
    expect(run(b, ids, mask, true)).toEqual(t1);
    a.dispose();
    b.dispose();
  });

  it('exposes Hugging Face names and layouts', () => {
    const config = small();
    const enc = DebertaV2Encoder.create({ config, seed: 1 });
    const vars = enc.variables();
    expect(vars.get('encoder.layer.1.intermediate.dense.weight')!.shape).toEqual([8, 12]); // [in, out]
    expect(vars.get('encoder.rel_embeddings.weight')!.shape).toEqual([8, 8]);
    const t = enc.toTensors({ prefix: true });
    expect(t.get('deberta.encoder.layer.1.intermediate.dense.weight')!.shape).toEqual([12, 8]); // [out, in]
    expect(t.get('deberta.embeddings.word_embeddings.weight')!.data.slice(0, 8)).toEqual(new Float32Array(8)); // padding row zero
    // the exact round trip with and without deberta., the parameter count, use after dispose: the conformance suite
    enc.dispose();
  });

  it('names missing, unexpected and wrongly shaped tensors, and bad inputs', () => {
    const config = small();
    const enc = DebertaV2Encoder.create({ config });
    const t = enc.toTensors();
    t.delete('encoder.rel_embeddings.weight');
    t.set('encoder.layer.0.attention.self.pos_key_proj.weight', { shape: [8, 8], data: new Float32Array(64) });
    t.set('embeddings.word_embeddings.weight', { shape: [22, 8], data: new Float32Array(22 * 8) });
    expect(() => DebertaV2Encoder.fromTensors(config, t)).toThrow(
      /unexpected tensor "encoder\.layer\.0\.attention\.self\.pos_key_proj\.weight".*"embeddings\.word_embeddings\.weight" has shape \[22,8\], expected \[23,8\].*missing tensor "encoder\.rel_embeddings\.weight"/,
    );
    expect(() => run(enc, [[1, 23]], [[1, 1]])).toThrow(/inputIds\[0\]\[1\] = 23 is outside \[0, 23\)/);
    expect(() => run(enc, [[1, 2]], [[1, 1, 1]])).toThrow(/attentionMask has shape \[1,3\], expected \[1, 2\]/);
    expect(() => run(enc, [Array(17).fill(1)], [Array(17).fill(1)])).toThrow(/exceeds max_position_embeddings 16/);
    expect(() => DebertaV2Encoder.fromTensors({ ...config, model_type: 'bert' }, t)).toThrow(/expected "deberta-v2"/);
    enc.dispose();
  });
});
