import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { useBackend } from '@spert/backend';
import { loadCheckpoint, saveCheckpoint, writeRandomCheckpoint } from '@spert/checkpoint';
import { sameBits } from '../../../tools/testing/float64';
import { sharedPath } from '../../../tools/testing/shared';
import { BertEncoder } from './families/bert';
import { loadEncoder } from './load';
import { createEncoder } from './registry';

let tmp: string;
beforeAll(async () => {
  await useBackend('cpu');
});
beforeEach(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'encoder-load-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

describe('loadEncoder', () => {
  it('builds the encoder of a random checkpoint directory with its tensors', async () => {
    const dir = path.join(tmp, 'random');
    await writeRandomCheckpoint({ dir, seed: 3, config: { vocab_size: 50, hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 16 } });
    const { encoder, checkpoint } = await loadEncoder({ id: dir, env: {} });
    expect(encoder).toBeInstanceOf(BertEncoder);
    expect(encoder.config.vocab_size).toBe(50);
    expect(checkpoint.vocabPath).toBe(path.join(dir, 'vocab.txt'));
    for (const [k, t] of encoder.toTensors()) expect(sameBits(t.data, checkpoint.encoderTensors.get(k)!.data)).toBe(true);
    encoder.dispose();
  });

  it('loads the reference SpERT checkpoint into an encoder holding every encoder tensor', async () => {
    const ck = await loadCheckpoint({ dir: sharedPath('fixtures', 'spert-scratch-conll04') });
    const enc = createEncoder({ config: ck.config, tensors: ck.encoderTensors });
    expect(enc.parameterCount()).toBe([...ck.encoderTensors.values()].reduce((n, t) => n + t.data.length, 0));
    enc.dispose();
  });

  it('round-trips an encoder through saveCheckpoint bit-exactly, with or without the bert. prefix', async () => {
    const src = await loadCheckpoint({ dir: sharedPath('fixtures', 'spert-scratch-conll04') });
    const enc = createEncoder({ config: src.config, tensors: src.encoderTensors });
    for (const prefix of [false, true]) {
      const dir = path.join(tmp, `p${prefix}`);
      await saveCheckpoint({ dir, config: enc.config, encoderTensors: enc.toTensors(), extraTensors: src.extraTensors, prefix });
      const back = await loadCheckpoint({ dir });
      expect(back.config).toEqual(src.config);
      for (const [k, t] of src.encoderTensors) expect(sameBits(back.encoderTensors.get(k)!.data, t.data)).toBe(true);
    }
    enc.dispose();
  });
});
