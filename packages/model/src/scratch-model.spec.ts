import * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { useBackend } from '@spert/backend';
import { createRng, readDataset, readTypes, type Document, type TypesSchema } from '@spert/core';
import { collate, createTrainSample } from '@spert/span-sampler';
import { BertWordPieceTokenizer, HfTokenizer } from '@spert/tokenizer';
import { sharedPath } from '../../../tools/testing/shared';
import { openModel } from './open-model';
import { saveModel } from './save-model';
import { createScratchModel, SCRATCH_FAMILIES } from './scratch-model';
import type { SpertModel } from './spert-model';

const conll = (f: string) => sharedPath('datasets', 'conll04', f);
const tiny = { hiddenSize: 16, layers: 1, heads: 2, intermediateSize: 32, maxPositions: 128, maxVocab: 800, seed: 3 };

/** One SGD step on the entity cross-entropy: the parameters the encoder's gradient reaches must move. */
function trainingStep(model: SpertModel, docs: Document[], types: TypesSchema): { loss: number; moved: number } {
  const encodings = model.encodeDocuments(docs.map((d) => d.tokens));
  const rng = createRng(1);
  const batch = collate(docs.map((document, i) => createTrainSample({ document, encoding: encodings[i], types, rng })));
  const vars = model.variables();
  const word = [...vars].find(([k]) => k.endsWith('embeddings.word_embeddings.weight'));
  if (!word) throw new Error('no word embeddings among the variables');
  const before = word[1].dataSync().slice();
  const optimizer = tf.train.sgd(0.5);
  const loss = optimizer.minimize(() => {
    const out = model.forwardTrain(batch, { training: true });
    const C = types.entities.length + 1;
    const logits = tf.reshape(out.entityLogits, [-1, C]) as tf.Tensor2D;
    const labels = tf.oneHot(tf.tensor1d(batch.spanLabels.data, 'int32'), C);
    return tf.losses.softmaxCrossEntropy(labels, logits, tf.tensor1d(batch.spanMask.data, 'float32')) as tf.Scalar;
  }, true, [...vars.values()]);
  const value = loss?.dataSync()[0] ?? NaN;
  loss?.dispose();
  optimizer.dispose();
  const after = word[1].dataSync();
  let moved = 0;
  for (let i = 0; i < after.length; i++) if (after[i] !== before[i]) moved++;
  return { loss: value, moved };
}

describe('createScratchModel', () => {
  let types: TypesSchema;
  let docs: Document[];
  let dir: string;
  beforeAll(async () => {
    await useBackend('wasm');
    types = await readTypes({ path: conll('conll04_types.json') });
    docs = (await readDataset({ path: conll('conll04_train.json'), types })).documents.slice(0, 40);
    dir = await mkdtemp(path.join(tmpdir(), 'scratch-model-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('defaults to BERT with a WordPiece vocabulary, as before', () => {
    const model = createScratchModel({ documents: docs, types, ...tiny });
    try {
      expect(model.encoder.config.model_type).toBe('bert');
      expect(model.tokenizer).toBeInstanceOf(BertWordPieceTokenizer);
      expect(model.encoder.config.max_position_embeddings).toBe(128);
      expect(model.encoder.config.vocab_size).toBe(model.tokenizer.vocabSize);
    } finally {
      model.dispose();
    }
  });

  it('builds RoBERTa in roberta-base shape (positions + 2, padding_idx 1, one token type) with a trained byte-level BPE', () => {
    const model = createScratchModel({ documents: docs, types, family: 'roberta', ...tiny });
    try {
      const c = model.encoder.config as typeof model.encoder.config & { pad_token_id: number };
      expect([c.model_type, c.max_position_embeddings, c.pad_token_id, c.type_vocab_size, c.layer_norm_eps]).toEqual(['roberta', 130, 1, 1, 1e-5]);
      expect(model.tokenizer).toBeInstanceOf(HfTokenizer);
      expect((model.tokenizer as HfTokenizer).modelType).toBe('BPE');
      expect(model.tokenizer.specialIds).toEqual({ cls: 0, sep: 2, pad: 1, unk: 3, mask: model.tokenizer.vocabSize - 1 });
      expect(c.vocab_size).toBe(model.tokenizer.vocabSize);
      expect(model.tokenizer.vocabSize).toBeLessThanOrEqual(800);
      expect(model.tokenizer.maxLength).toBe(128);
    } finally {
      model.dispose();
    }
  });

  it('builds DeBERTa-v2 in microsoft/deberta-v3-base shape with a trained Unigram', () => {
    const model = createScratchModel({ documents: docs, types, family: 'deberta-v2', ...tiny });
    try {
      expect(model.encoder.config).toMatchObject({
        model_type: 'deberta-v2',
        max_position_embeddings: 128,
        relative_attention: true,
        position_buckets: 256,
        max_relative_positions: -1,
        share_att_key: true,
        pos_att_type: ['p2c', 'c2p'],
        norm_rel_ebd: 'layer_norm',
        position_biased_input: false,
        type_vocab_size: 0,
        layer_norm_eps: 1e-7,
      });
      expect((model.tokenizer as HfTokenizer).modelType).toBe('Unigram');
      expect(model.tokenizer.specialIds).toEqual({ cls: 1, sep: 2, pad: 0, unk: 3, mask: model.tokenizer.vocabSize - 1 });
      expect(model.tokenizer.vocabSize).toBeLessThanOrEqual(800);
      expect(model.encoder.config.vocab_size).toBe(model.tokenizer.vocabSize);
    } finally {
      model.dispose();
    }
  });

  it.each(SCRATCH_FAMILIES)('%s: one training step runs and moves the encoder, and saveModel/openModel round-trip it', async (family) => {
    const model = createScratchModel({ documents: docs, types, family, ...tiny });
    const opened: SpertModel[] = [];
    try {
      const tensors = tf.memory().numTensors;
      const { loss, moved } = trainingStep(model, docs.slice(0, 4), types);
      expect(Number.isFinite(loss) && loss > 0).toBe(true);
      expect(moved).toBeGreaterThan(0);
      expect(tf.memory().numTensors).toBe(tensors);

      const out = path.join(dir, family);
      await saveModel(model, out);
      expect(existsSync(path.join(out, family === 'bert' ? 'vocab.txt' : 'tokenizer.json'))).toBe(true);
      const config = JSON.parse(await readFile(path.join(out, 'config.json'), 'utf8')) as Record<string, unknown>;
      expect(config.model_type).toBe(family);
      opened.push(await openModel({ id: out }));
      const back = opened[0];
      expect({ ...back.encoder.config, extra: {} }).toEqual({ ...model.encoder.config, extra: {} });
      expect(back.tokenizer.maxLength).toBe(128);
      const words = docs.slice(4, 8).map((d) => d.tokens);
      expect(back.encodeDocuments(words)).toEqual(model.encodeDocuments(words));
      expect((await back.score(words)).map((d) => d.entityLogits)).toEqual((await model.score(words)).map((d) => d.entityLogits));
      expect(await back.predict(words)).toEqual(await model.predict(words));
    } finally {
      model.dispose();
      opened.forEach((m) => m.dispose());
    }
  });

  it('refuses an unknown family, naming the supported ones', () => {
    expect(() => createScratchModel({ documents: docs, types, family: 'gpt2' as 'bert', ...tiny })).toThrow(/"gpt2" is not one of bert, roberta, deberta-v2/);
  });
});
