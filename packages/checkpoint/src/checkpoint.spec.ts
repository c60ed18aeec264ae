import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { sharedPath } from '../../../tools/testing/shared';
import { loadCheckpoint, saveCheckpoint, splitCheckpointTensors, type Checkpoint } from './checkpoint';
import { writeFileAtomic } from '@spert/core';
import { nodeFs, type CheckpointFs } from './checkpoint-fs';
import { bertParamSpecs, isBertConfig } from './families/bert';
import { writeRandomCheckpoint } from './random-checkpoint';
import { readSafetensors } from './safetensors';
import { sameBits } from './testing/same-bits';

const fixture = (...p: string[]) => sharedPath('fixtures', ...p);
let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'encoder-ckpt-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

/** Asserts that the encoder tensors are exactly BERT's parameters (pooler optional) with the right shapes. */
function expectBertParameters(ck: Checkpoint): void {
  if (!isBertConfig(ck.config)) throw new Error(`expected a BERT config, got model_type ${ck.config.model_type}`);
  const specs = bertParamSpecs(ck.config).filter((s) => !s.name.startsWith('pooler.') || ck.encoderTensors.has(s.name));
  expect(Object.fromEntries([...ck.encoderTensors].map(([k, t]) => [k, t.shape]))).toEqual(Object.fromEntries(specs.map((s) => [s.name, s.shape])));
}

/** node:fs with some files hidden, to pick the loader's fallback formats. */
const hiding = (...names: string[]): CheckpointFs => ({ ...nodeFs, exists: async (f) => !names.includes(path.basename(f)) && nodeFs.exists(f) });

describe('loadCheckpoint', () => {
  it('loads tiny-bert from model.safetensors, and from pytorch_model.bin with legacy names mapped', async () => {
    const st = await loadCheckpoint({ dir: fixture('tiny-bert') });
    expect(st.weightsFiles.map((f) => path.basename(f))).toEqual(['model.safetensors']);
    expect(st.encoderTensors.size).toBe(5 + 16 * 2 + 2);
    expect(st.extraTensors.size).toBe(0);
    expect(st.vocabPath).toBe(fixture('tiny-bert', 'vocab.txt'));
    const bin = await loadCheckpoint({ dir: fixture('tiny-bert'), fs: hiding('model.safetensors') });
    expect(bin.weightsFiles.map((f) => path.basename(f))).toEqual(['pytorch_model.bin']);
    expect(bin.ignored).toEqual(['cls.predictions.bias']);
    expect([...bin.encoderTensors.keys()].sort()).toEqual([...st.encoderTensors.keys()].sort());
    for (const [k, t] of st.encoderTensors) expect(sameBits(bin.encoderTensors.get(k)!.data, t.data)).toBe(true);
  });

  it('loads the reference SpERT checkpoint: bert.* into the encoder, the three SpERT tensors returned', async () => {
    const ck = await loadCheckpoint({ dir: fixture('spert-scratch-conll04') });
    const H = ck.config.hidden_size;
    expect(H).toBe(256);
    expect(Object.fromEntries([...ck.extraTensors].map(([k, t]) => [k, t.shape]))).toEqual({
      'entity_classifier.weight': [5, 2 * H + 25],
      'entity_classifier.bias': [5],
      'rel_classifier.weight': [5, 3 * H + 2 * 25],
      'rel_classifier.bias': [5],
      'size_embeddings.weight': [100, 25],
    });
    expect(ck.config.extra.spert_version).toBe('1.1');
    expect(ck.config.model_type).toBe('bert');
    expectBertParameters(ck);
  });

  it('rejects an unregistered model_type, a missing config, missing weights and truncated weights, naming the file', async () => {
    writeFileSync(path.join(tmp, 'config.json'), JSON.stringify({ model_type: 'xlnet', vocab_size: 5, hidden_size: 4, num_hidden_layers: 1, num_attention_heads: 1, intermediate_size: 4 }));
    await expect(loadCheckpoint({ dir: tmp })).rejects.toThrow(/config\.json: model_type "xlnet" is not supported; registered encoder families: "bert"/);
    await expect(loadCheckpoint({ dir: path.join(tmp, 'nope') })).rejects.toThrow(/config\.json is missing/);
    writeFileSync(path.join(tmp, 'config.json'), readFileSync(fixture('tiny-bert', 'config.json')));
    await expect(loadCheckpoint({ dir: tmp })).rejects.toThrow(/no weights/);
    const bytes = readFileSync(fixture('tiny-bert', 'model.safetensors'));
    writeFileSync(path.join(tmp, 'model.safetensors'), bytes.subarray(0, bytes.length - 1000));
    await expect(loadCheckpoint({ dir: tmp })).rejects.toThrow(/model\.safetensors.*truncated/);
  });
});

describe('saveCheckpoint', () => {
  it('round-trips an encoder bit-exactly, with or without the bert. prefix, extras and config fields', async () => {
    const src = await loadCheckpoint({ dir: fixture('spert-scratch-conll04') });
    for (const prefix of [false, true]) {
      const dir = path.join(tmp, `p${prefix}`);
      await saveCheckpoint({ dir, config: src.config, encoderTensors: src.encoderTensors, extraTensors: src.extraTensors, prefix, extraConfig: { spert: { max_span_size: 10 } }, vocab: ['[PAD]', 'a'] });
      expect(readdirSync(dir).sort()).toEqual(['config.json', 'model.safetensors', 'vocab.txt']); // no temp files left
      const raw = readSafetensors(new Uint8Array(readFileSync(path.join(dir, 'model.safetensors'))));
      expect(raw.metadata).toEqual({ format: 'pt' });
      expect(raw.tensors.has('bert.embeddings.word_embeddings.weight')).toBe(prefix);
      const back = await loadCheckpoint({ dir });
      expect(back.config).toEqual({ ...src.config, extra: { ...src.config.extra, spert: { max_span_size: 10 } } });
      for (const [k, t] of src.encoderTensors) expect(sameBits(back.encoderTensors.get(k)!.data, t.data)).toBe(true);
      for (const [k, t] of src.extraTensors) expect(sameBits(back.extraTensors.get(k)!.data, t.data)).toBe(true);
      expect(readFileSync(back.vocabPath!, 'utf8')).toBe('[PAD]\na\n');
    }
  });

  it('refuses tensors that are not encoder tensors, or extras that clash with encoder names', async () => {
    const src = await loadCheckpoint({ dir: fixture('tiny-bert') });
    const bad = new Map([['classifier.weight', { shape: [1], data: new Float32Array(1) }]]);
    await expect(saveCheckpoint({ dir: tmp, config: src.config, encoderTensors: bad })).rejects.toThrow(/"classifier\.weight" is not a bert encoder tensor name/);
    const clash = new Map([['bert.embeddings.word_embeddings.weight', { shape: [1], data: new Float32Array(1) }]]);
    await expect(saveCheckpoint({ dir: tmp, config: src.config, encoderTensors: src.encoderTensors, extraTensors: clash })).rejects.toThrow(/clashes with an encoder tensor/);
    await expect(saveCheckpoint({ dir: tmp, config: { ...src.config, model_type: 'deberta' }, encoderTensors: src.encoderTensors })).rejects.toThrow(/saveCheckpoint: model_type "deberta" is not supported; registered encoder families: "bert"/);
  });

  it('writes atomically: a failed write leaves neither a partial file nor a temp file', async () => {
    const failing: CheckpointFs = { ...nodeFs, rename: async () => { throw new Error('disk full'); } };
    await expect(writeFileAtomic({ path: path.join(tmp, 'model.safetensors'), data: new Uint8Array(10), fs: failing })).rejects.toThrow('disk full');
    expect(readdirSync(tmp)).toEqual([]);
  });
});

describe('writeRandomCheckpoint', () => {
  it('writes a loadable checkpoint with a vocabulary of the requested size, reproducibly from the seed', async () => {
    const config = await writeRandomCheckpoint({ dir: path.join(tmp, 'a'), seed: 7, config: { vocab_size: 300, hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32 } });
    await writeRandomCheckpoint({ dir: path.join(tmp, 'b'), seed: 7, config });
    const a = await loadCheckpoint({ dir: path.join(tmp, 'a') });
    expect(readFileSync(a.vocabPath!, 'utf8').trimEnd().split('\n')).toHaveLength(300);
    expect(readFileSync(path.join(tmp, 'b', 'model.safetensors')).equals(readFileSync(path.join(tmp, 'a', 'model.safetensors')))).toBe(true);
    const w = a.encoderTensors.get('encoder.layer.0.attention.self.query.weight')!.data as Float32Array;
    const std = Math.sqrt(w.reduce((s, x) => s + x * x, 0) / w.length);
    expect(std).toBeGreaterThan(0.017);
    expect(std).toBeLessThan(0.023); // initializer_range 0.02
    expectBertParameters(a);
    expect(a.encoderTensors.has('pooler.dense.weight')).toBe(true);
    await expect(writeRandomCheckpoint({ dir: path.join(tmp, 'x'), seed: 1, config: { ...config, model_type: 'electra' } })).rejects.toThrow(/writeRandomCheckpoint: model_type "electra" is not supported; registered encoder families: "bert"/);
    const custom = await writeRandomCheckpoint({ dir: path.join(tmp, 'c'), seed: 1, vocab: ['[PAD]', '[UNK]', 'x'], config });
    expect(custom.vocab_size).toBe(3);
  });
});

describe('splitCheckpointTensors', () => {
  it('normalises prefixed and legacy names, keeps extras, drops pretraining tensors and refuses duplicates', () => {
    const t = (n: number) => ({ shape: [n], data: new Float32Array(n) });
    const raw = new Map([
      ['bert.embeddings.LayerNorm.gamma', t(2)],
      ['encoder.layer.0.output.dense.bias', t(3)],
      ['cls.predictions.bias', t(4)],
      ['entity_classifier.bias', t(5)],
    ]);
    const split = splitCheckpointTensors(raw, 'x.safetensors');
    expect([...split.encoderTensors.keys()]).toEqual(['embeddings.LayerNorm.weight', 'encoder.layer.0.output.dense.bias']);
    expect([...split.extraTensors.keys()]).toEqual(['entity_classifier.bias']);
    expect(split.ignored).toEqual(['cls.predictions.bias']);
    raw.set('embeddings.LayerNorm.weight', t(2));
    expect(() => splitCheckpointTensors(raw, 'x.safetensors')).toThrow(/x\.safetensors: tensor "embeddings\.LayerNorm\.weight" duplicates/);
    expect(() => splitCheckpointTensors(raw, 'x.safetensors', 'gpt2')).toThrow(/x\.safetensors: model_type "gpt2" is not supported; registered encoder families: "bert"/);
  });
});
