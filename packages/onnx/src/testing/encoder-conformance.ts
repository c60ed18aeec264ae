// The ONNX half of an encoder family's conformance suite, run with one call: the family's
// encoder.onnx against the Hugging Face fixture's hidden states, and against the family's TF.js
// encoder (@spert/encoder, a test-only dependency here: serving code never loads TF.js) on random
// checkpoints, float32 and int8. The TF.js half is @spert/encoder's src/testing/encoder-conformance.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-node';
import { useBackend } from '@spert/backend';
import type { EncoderConfig, NamedTensor } from '@spert/checkpoint';
import { createEncoder } from '@spert/encoder';
import { buildEncoderGraph } from '../export-encoder';
import type { WeightMap } from '../weights';

/** Token ids, attention mask and optional token types of one batch ([batch][position]). */
export interface GraphBatch {
  ids: number[][];
  mask: number[][];
  types?: number[][];
}

/** What a family gives the ONNX conformance suite. */
export interface OnnxEncoderConformance<C extends EncoderConfig> {
  /** Names the describe block ("RoBERTa encoder.onnx"). */
  name: string;
  /** The Hugging Face fixture: config.json, weight files and expected_hidden_states.json. */
  fixture: {
    dir: string;
    config(): C;
    /** Weight files, each giving the graph within 1e-4 of last_hidden_state; a title per file. */
    weights: ReadonlyArray<readonly [title: string, read: () => Promise<WeightMap> | WeightMap]>;
    /**
     * The token_type_ids inputs: 'fixture' feeds the fixture's; 'zeros-and-none' checks a graph with
     * the input fed zeros and a graph without it; 'none' builds the default graph and feeds zeros.
     */
    tokenTypes: 'fixture' | 'zeros-and-none' | 'none';
  };
  /** TF.js vs ONNX cases: a title, a config, the random checkpoint (prefixed names) and a batch. */
  tfjs: ReadonlyArray<readonly [title: string, config: () => C, weights: (config: C) => Map<string, NamedTensor>, batch: GraphBatch]>;
  /** Largest error of the int8-quantized graph against TF.js on those cases. */
  int8Tolerance: number;
  /** Whether the TF.js comparison's graphs take token_type_ids always (the default graph, fed zeros when untyped) or only when the batch has types. */
  tfjsTokenTypeInput: 'always' | 'when-typed';
}

const i64 = (rows: number[][]) => new ort.Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [rows.length, rows[0].length]);

/** Runs encoder.onnx on one batch: last_hidden_state, flat [B, T, H]; token types fed when the graph takes them (zeros by default). */
export async function runEncoderGraph(bytes: Uint8Array, { ids, mask, types }: GraphBatch): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const feeds: Record<string, ort.Tensor> = { input_ids: i64(ids), attention_mask: i64(mask) };
    if (session.inputNames.includes('token_type_ids')) feeds.token_type_ids = i64(types ?? ids.map((r) => r.map(() => 0)));
    return (await session.run(feeds)).last_hidden_state.data as Float32Array;
  } finally {
    await session.release();
  }
}

/** Largest |got - want| over the non-padded positions of a flat [B, T, H] output, and how many positions it compared. */
export function maskedDiff(got: Float32Array, want: (b: number, t: number) => ArrayLike<number>, mask: number[][], H: number): { worst: number; compared: number } {
  let worst = 0;
  let compared = 0;
  const T = mask[0].length;
  mask.forEach((row, b) => row.forEach((m, t) => {
    if (!m) return;
    const w = want(b, t);
    for (let h = 0; h < H; h++) worst = Math.max(worst, Math.abs(got[(b * T + t) * H + h] - w[h]));
    compared++;
  }));
  return { worst, compared };
}

/** Runs the ONNX conformance suite of one encoder family: call it once, at the top level of the family's graph spec. */
export function describeOnnxEncoderConformance<C extends EncoderConfig>(family: OnnxEncoderConformance<C>): void {
  describe(`${family.name} (conformance)`, () => {
    beforeAll(async () => {
      await useBackend('cpu');
    });

    it.each(family.fixture.weights.map(([title, read]) => [title, read] as const))(
      `reproduces the Hugging Face hidden states of ${path.basename(family.fixture.dir)} from %s within 1e-4`,
      async (_title, read) => {
        const e = JSON.parse(readFileSync(path.join(family.fixture.dir, 'expected_hidden_states.json'), 'utf8')) as {
          input_ids: number[][];
          attention_mask: number[][];
          token_type_ids?: number[][];
          last_hidden_state: number[][][];
        };
        const config = family.fixture.config();
        const weights = await read();
        const real = e.attention_mask.flat().filter(Boolean).length;
        const zeros = e.input_ids.map((r) => r.map(() => 0));
        const variants: Array<[tokenTypeIds: boolean | undefined, types: number[][] | undefined]> =
          family.fixture.tokenTypes === 'fixture' ? [[undefined, e.token_type_ids]] : family.fixture.tokenTypes === 'zeros-and-none' ? [[true, zeros], [false, undefined]] : [[undefined, undefined]];
        for (const [tokenTypeIds, types] of variants) {
          const got = await runEncoderGraph(buildEncoderGraph({ config, weights, tokenTypeIds }), { ids: e.input_ids, mask: e.attention_mask, types });
          const { worst, compared } = maskedDiff(got, (b, t) => e.last_hidden_state[b][t], e.attention_mask, config.hidden_size);
          expect(compared).toBe(real);
          expect(worst).toBeLessThan(1e-4);
        }
      },
    );

    it.each(family.tfjs.map(([title, config, weights, batch]) => [title, config, weights, batch] as const))(
      'matches the TF.js encoder within 1e-4 (int8: the family\'s bound) on a random checkpoint: %s',
      async (_title, makeConfig, makeWeights, batch) => {
        const config = makeConfig();
        const tensors = makeWeights(config);
        const encoder = createEncoder({ config, tensors });
        const { ids, mask, types } = batch;
        const want = tf.tidy(() => encoder.apply({ inputIds: tf.tensor2d(ids, undefined, 'int32'), attentionMask: tf.tensor2d(mask, undefined, 'int32'), tokenTypeIds: types ? tf.tensor2d(types, undefined, 'int32') : undefined }, { training: false }).dataSync() as Float32Array);
        encoder.dispose();
        const H = config.hidden_size;
        const T = ids[0].length;
        const row = (b: number, t: number) => want.subarray((b * T + t) * H, (b * T + t + 1) * H);
        const tokenTypeIds = family.tfjsTokenTypeInput === 'always' ? undefined : types !== undefined;
        const got = await runEncoderGraph(buildEncoderGraph({ config, weights: tensors, tokenTypeIds }), batch);
        expect(maskedDiff(got, row, mask, H).worst).toBeLessThan(1e-4);
        const int8 = await runEncoderGraph(buildEncoderGraph({ config, weights: tensors, tokenTypeIds, quantization: 'int8' }), batch);
        expect(maskedDiff(int8, row, mask, H).worst).toBeLessThan(family.int8Tolerance);
      },
    );
  });
}
