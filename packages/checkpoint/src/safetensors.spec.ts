import { readFileSync } from 'node:fs';
import { sharedPath } from '../../../tools/testing/shared';
import { readSafetensors, writeSafetensors, type NamedTensor } from './safetensors';
import { sameBits } from './testing/same-bits';

const tiny = (f: string) => new Uint8Array(readFileSync(sharedPath('fixtures', 'tiny-bert', f)));

describe('readSafetensors', () => {
  it('reads the tiny-bert fp32 checkpoint with bert.-prefixed names and shapes', () => {
    const { tensors } = readSafetensors(tiny('model.safetensors'));
    const emb = tensors.get('bert.embeddings.word_embeddings.weight');
    expect(emb?.shape).toEqual([540, 32]);
    expect(emb?.dtype).toBe('F32');
    expect(tensors.get('bert.encoder.layer.1.intermediate.dense.weight')?.shape).toEqual([64, 32]);
    for (const t of tensors.values()) expect(t.data.every((v) => Number.isFinite(v))).toBe(true);
  });

  it('widens fp16 and bf16 to float32 within their rounding error of the fp32 weights', () => {
    const f32 = readSafetensors(tiny('model.safetensors')).tensors;
    for (const [file, relTol] of [['model.fp16.safetensors', 2 ** -11], ['model.bf16.safetensors', 2 ** -8]] as const) {
      const half = readSafetensors(tiny(file)).tensors;
      expect([...half.keys()].sort()).toEqual([...f32.keys()].sort());
      for (const [name, t] of half) {
        const ref = f32.get(name)!;
        expect(t.shape).toEqual(ref.shape);
        // relative rounding bound, plus an absolute floor for fp16 subnormals
        let worst = 0;
        for (let i = 0; i < t.data.length; i++) worst = Math.max(worst, Math.abs(t.data[i] - ref.data[i]) - (Math.abs(ref.data[i]) * relTol + 6e-8));
        expect(worst).toBeLessThanOrEqual(0);
      }
    }
  });

  it('narrows float32 to fp16/bf16 bit-identically to the PyTorch-written fixture files', () => {
    const f32 = readSafetensors(tiny('model.safetensors')).tensors;
    for (const [file, dtype] of [['model.fp16.safetensors', 'F16'], ['model.bf16.safetensors', 'BF16']] as const) {
      const ref = readSafetensors(tiny(file)).tensors;
      const narrowed = readSafetensors(writeSafetensors(new Map([...f32].map(([k, t]) => [k, { ...t, dtype }])))).tensors;
      for (const [name, t] of ref) expect(sameBits(narrowed.get(name)!.data, t.data)).toBe(true);
    }
  });

  it('rejects truncated and corrupt files with a clear error', () => {
    const bytes = tiny('model.safetensors');
    expect(() => readSafetensors(bytes.subarray(0, 4), 'x.safetensors')).toThrow(/x\.safetensors.*too short/);
    expect(() => readSafetensors(bytes.subarray(0, bytes.length - 10))).toThrow(/truncated/);
    expect(() => readSafetensors(bytes.subarray(0, 200))).toThrow(/header length .* exceeds/);
    const corrupt = bytes.slice();
    corrupt[9] = 0x7b; // "{{" breaks the JSON
    expect(() => readSafetensors(corrupt)).toThrow(/not valid UTF-8 JSON/);
    const badDtype = writeSafetensors({ a: { shape: [1], data: new Float32Array([1]) } });
    const patched = new TextDecoder().decode(badDtype).replace('"F32"', '"F64"');
    expect(() => readSafetensors(new TextEncoder().encode(patched))).toThrow(/tensor "a": unsupported dtype "F64"/);
  });
});

describe('writeSafetensors', () => {
  it('round-trips every dtype bit-exactly, with metadata and an 8-byte aligned header', () => {
    const tensors: Record<string, NamedTensor> = {
      f: { shape: [2, 3], data: new Float32Array([1.5, -2, 3.25, 0, -0.125, 1e-3]) },
      h: { shape: [3], data: new Float32Array([0.5, -65504, 2 ** -24]), dtype: 'F16' },
      b: { shape: [2], data: new Float32Array([1.0078125, -3]), dtype: 'BF16' },
      i: { shape: [2, 2], data: new Int32Array([1, -2, 2147483647, -2147483648]) },
      l: { shape: [3], data: new Int32Array([0, 7, -9]), dtype: 'I64' },
      e: { shape: [0, 4], data: new Float32Array(0) },
    };
    const bytes = writeSafetensors(tensors, { format: 'pt' });
    const headerLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(headerLen % 8).toBe(0);
    const back = readSafetensors(bytes);
    expect(back.metadata).toEqual({ format: 'pt' });
    for (const [k, t] of Object.entries(tensors)) {
      expect(back.tensors.get(k)!.shape).toEqual(t.shape);
      expect(back.tensors.get(k)!.data).toEqual(t.data);
    }
    expect(Buffer.from(writeSafetensors(back.tensors, back.metadata)).equals(Buffer.from(bytes))).toBe(true);
  });

  it('rejects data whose length does not match the shape', () => {
    expect(() => writeSafetensors({ w: { shape: [2, 2], data: new Float32Array(3) } })).toThrow(/"w" has 3 values but shape \[2,2\] needs 4/);
  });
});
