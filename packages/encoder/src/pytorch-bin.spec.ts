import { readFileSync } from 'node:fs';
import { sharedPath } from '../../../tools/testing/shared';
import { readPytorchBin } from './pytorch-bin';
import { readSafetensors } from './safetensors';
import { crc32 } from './zip-reader';
import { sameBits } from './testing/same-bits';

const read = (...p: string[]) => new Uint8Array(readFileSync(sharedPath('fixtures', ...p)));

describe('readPytorchBin', () => {
  it('reads the tiny-bert state dict: same values as the safetensors file under legacy names', () => {
    const bin = readPytorchBin(read('tiny-bert', 'pytorch_model.bin'));
    const st = readSafetensors(read('tiny-bert', 'model.safetensors')).tensors;
    expect(bin.get('cls.predictions.bias')?.shape).toEqual([540]);
    for (const [name, t] of st) {
      const legacy = name.replace(/LayerNorm\.weight$/, 'LayerNorm.gamma').replace(/LayerNorm\.bias$/, 'LayerNorm.beta');
      expect(bin.get(legacy)?.shape).toEqual(t.shape);
      expect(sameBits(bin.get(legacy)?.data, t.data)).toBe(true);
    }
    expect(bin.size).toBe(st.size + 1);
  });

  it('reads the SpERT checkpoint of the reference implementation', () => {
    const bin = readPytorchBin(read('spert-scratch-conll04', 'pytorch_model.bin'));
    expect(bin.get('bert.encoder.layer.3.output.LayerNorm.bias')?.shape).toEqual([256]);
    expect(bin.get('size_embeddings.weight')?.shape).toEqual([100, 25]);
    expect(bin.get('entity_classifier.weight')?.shape).toEqual([5, 256 * 2 + 25]);
    expect(bin.get('rel_classifier.weight')?.shape).toEqual([5, 256 * 3 + 25 * 2]);
  });

  it('rejects truncated, corrupt and non-torch files with a clear error', () => {
    const bytes = read('tiny-bert', 'pytorch_model.bin');
    expect(() => readPytorchBin(bytes.subarray(0, bytes.length - 100), 'm.bin')).toThrow(/m\.bin: not a ZIP archive or truncated/);
    // flip one byte inside a weight storage: caught by the entry's CRC-32
    const corrupt = bytes.slice();
    corrupt[Math.floor(bytes.length / 2)] ^= 0xff;
    expect(() => readPytorchBin(corrupt, 'm.bin')).toThrow(/CRC-32 mismatch/);
    expect(() => readPytorchBin(new Uint8Array([0x80, 0x02, 0x8a, 0x0a]), 'old.bin')).toThrow(/legacy \(pre-1\.6, non-zip\)/);
    expect(() => readPytorchBin(read('tiny-bert', 'model.safetensors'), 'x.bin')).toThrow(/x\.bin: not a ZIP archive/);
  });

  it('computes the standard CRC-32', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
});
