import { zipSync } from 'fflate';
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

describe('readPytorchBin on hand-built archives', () => {
  const enc = (s: string) => [...new TextEncoder().encode(s)];
  const uni = (s: string) => [0x58, s.length, 0, 0, 0, ...enc(s)];
  /** data.pkl of {'w': tensor(storage type, offset, size, stride)} as torch.save writes it. */
  const statePickle = (storage: string, numel: number, offset: number, size: number[], stride: number[]) =>
    new Uint8Array([
      0x80, 2, 0x7d, 0x28, ...uni('w'),
      0x63, ...enc('torch._utils\n_rebuild_tensor_v2\n'),
      0x28, 0x28, ...uni('storage'), 0x63, ...enc(`torch\n${storage}\n`), ...uni('0'), ...uni('cpu'), 0x4b, numel, 0x74, 0x51,
      0x4b, offset,
      0x28, ...size.flatMap((d) => [0x4b, d]), 0x74,
      0x28, ...stride.flatMap((d) => [0x4b, d]), 0x74,
      0x89, 0x63, ...enc('collections\nOrderedDict\n'), 0x29, 0x52, 0x74, 0x52,
      0x75, 0x2e,
    ]);
  const archive = (pkl: Uint8Array, storage: Uint8Array) =>
    zipSync({ 'archive/data.pkl': [pkl, { level: 0 }], 'archive/data/0': [storage, { level: 0 }], 'archive/version': [new TextEncoder().encode('3\n'), { level: 0 }] });

  it('honours storage offsets and widens fp16 storages', () => {
    const half = new Uint16Array([0x3c00, 0x4000, 0x4200, 0x4400, 0xc000, 0x3800]); // 1 2 3 4 -2 0.5
    const t = readPytorchBin(archive(statePickle('HalfStorage', 6, 2, [2, 2], [2, 1]), new Uint8Array(half.buffer))).get('w')!;
    expect(t.shape).toEqual([2, 2]);
    expect(Array.from(t.data)).toEqual([3, 4, -2, 0.5]);
  });

  it('rejects non-contiguous tensors, unknown storage types and storages that are too short', () => {
    const f32 = new Uint8Array(new Float32Array(6).buffer);
    expect(() => readPytorchBin(archive(statePickle('FloatStorage', 6, 0, [2, 3], [1, 2]), f32), 'nc.bin')).toThrow(/nc\.bin:archive\/data\.pkl: tensor with size \[2,3\] and stride \[1,2\] .* is not contiguous/);
    expect(() => readPytorchBin(archive(statePickle('ComplexFloatStorage', 6, 0, [6], [1]), f32))).toThrow(/global torch\.ComplexFloatStorage is not allowed/);
    expect(() => readPytorchBin(archive(statePickle('FloatStorage', 6, 2, [6], [1]), f32))).toThrow(/tensor "w": offset 2 \+ 6 elements exceed its storage/);
    expect(() => readPytorchBin(archive(statePickle('FloatStorage', 8, 0, [6], [1]), f32))).toThrow(/storage archive\/data\/0 has 24 bytes, expected 8 x 4/);
  });
});
