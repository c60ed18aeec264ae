// Fuzzing of every reader of a downloaded checkpoint file (tools/testing/fuzz.ts explains the
// harness; docs/robustness.md what was found). A bounded, fixed-seed run here; longer runs with
// SPERT_FUZZ_RUNS / SPERT_FUZZ_SEED.
import { runFuzzTarget } from '../../../tools/testing/fuzz';
import { readPytorchBin, readStateDictPickle } from './pytorch-bin';
import { parseEncoderConfig } from './registry';
import { readSafetensors } from './safetensors';
import { readZip } from './zip-reader';

const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('fuzzing the checkpoint readers (fast-check, mutated fixtures)', () => {
  it('zip reader (the container of pytorch_model.bin)', async () => {
    await runFuzzTarget({
      name: 'zip', source: 'fuzz.zip', runs: 1500,
      read: (b) => [...readZip(b, 'fuzz.zip').values()].map((e) => e.read().length),
    });
  });
  it('pickle reader with the state-dict allow-list (data.pkl of the real fixtures)', async () => {
    await runFuzzTarget({ name: 'pickle', source: 'data.pkl', runs: 1500, read: (b) => readStateDictPickle(b, 'data.pkl').size });
  });
  it('pytorch_model.bin (zip + pickle + storages)', async () => {
    await runFuzzTarget({ name: 'pytorch-bin', source: 'pytorch_model.bin', runs: 1500, read: (b) => readPytorchBin(b, 'pytorch_model.bin').size });
  });
  it('safetensors', async () => {
    await runFuzzTarget({ name: 'safetensors', source: 'model.safetensors', runs: 1500, read: (b) => readSafetensors(b, 'model.safetensors').tensors.size });
  });
  it('config.json of each family (bert, roberta, deberta-v2, a SpERT checkpoint)', async () => {
    await runFuzzTarget({ name: 'config', source: 'config.json', runs: 1500, read: (b) => parseEncoderConfig(text(b), 'config.json').model_type });
  });
});
