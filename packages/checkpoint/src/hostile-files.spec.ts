// Regression tests for hostile and broken checkpoint files: each case the fuzzers found, or the
// issue named, with the clear error it must give (docs/robustness.md lists them).
import { zipSync } from 'fflate';
import { mkdtemp, rm, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { sharedPath } from '../../../tools/testing/shared';
import { pickleBytes, pickleGlobal, pickleInt, pickleString, torchZip } from '../../../tools/testing/torch-zip';
import { loadCheckpoint } from './checkpoint';
import { readPytorchBin, readStateDictPickle } from './pytorch-bin';
import { readSafetensors, writeSafetensors } from './safetensors';
import { readZip } from './zip-reader';

const enc = new TextEncoder();

/** A safetensors file with `header` as its JSON header and `data` after it. */
function safetensorsWith(header: string, data = new Uint8Array(0)): Uint8Array {
  const json = enc.encode(header);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe('safetensors: claims checked against the file', () => {
  it('refuses a header length announcing gigabytes before allocating anything', () => {
    const b = new Uint8Array(16);
    new DataView(b.buffer).setBigUint64(0, 5n * 1024n ** 3n, true);
    expect(() => readSafetensors(b, 'big.safetensors')).toThrow(/big\.safetensors\): header length 5368709120 exceeds the file size 16/);
  });
  it('refuses offsets outside the file, overlaps, shapes that disagree with dtype and length, duplicate names', () => {
    const data = new Uint8Array(16);
    expect(() => readSafetensors(safetensorsWith('{"a":{"dtype":"F32","shape":[8],"data_offsets":[0,32]}}', data), 'm')).toThrow(/tensor "a": data ends at 32 but only 16 data bytes exist/);
    expect(() => readSafetensors(safetensorsWith('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}', data), 'm')).toThrow(/tensors "a" and "b" overlap/);
    expect(() => readSafetensors(safetensorsWith('{"a":{"dtype":"F16","shape":[2],"data_offsets":[0,8]}}', data), 'm')).toThrow(/data_offsets \[0, 8\] do not match shape \[2\] of F16/);
    expect(() => readSafetensors(safetensorsWith('{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}', data), 'm')).toThrow(/tensor "a": bad shape \[-2\]/);
    expect(() => readSafetensors(safetensorsWith('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', data), 'm')).toThrow(/duplicate key "a"/);
  });
  it('refuses deeply nested JSON in the header (depth limit) with a message, not a stack overflow', () => {
    const deep = `{"a":{"dtype":"F32","shape":${'['.repeat(100_000)}${']'.repeat(100_000)},"data_offsets":[0,0]}}`;
    expect(() => readSafetensors(safetensorsWith(deep), 'deep.safetensors')).toThrow(/deep\.safetensors\): header is not valid UTF-8 JSON: nested deeper than 100 levels/);
  });
});

describe('zip reader: hostile archives', () => {
  const stored = (files: Record<string, Uint8Array>) => zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, [v, { level: 0 }]])));
  it('refuses entries named with ../, absolute paths or drive letters, and names that repeat', () => {
    expect(() => readZip(stored({ 'archive/../../etc/passwd': enc.encode('x') }), 'evil.zip')).toThrow(/evil\.zip: entry "archive\/\.\.\/\.\.\/etc\/passwd": names with "\.\." are refused/);
    expect(() => readZip(stored({ '/etc/passwd': enc.encode('x') }), 'evil.zip')).toThrow(/absolute names are refused/);
    expect(() => readZip(stored({ 'C:/x': enc.encode('x') }), 'evil.zip')).toThrow(/absolute names are refused/);
    const twice = stored({ 'a/x': enc.encode('1'), 'a/y': enc.encode('2') });
    // rename the second entry to the first one's name in the central directory
    const cd = twice.lastIndexOf(0x79); // 'y' of the second central directory name
    twice[cd] = 0x78;
    expect(() => readZip(twice, 'dup.zip')).toThrow(/dup\.zip: entry "a\/x" appears twice/);
  });
  it('refuses an entry announcing gigabytes before allocating: more than deflate can give, or past the end of the file', () => {
    const z = zipSync({ 'a/data': [new Uint8Array(1000), { level: 6 }] });
    const cdStart = z.length - 22 - (46 + 'a/data'.length);
    const bomb = z.slice();
    new DataView(bomb.buffer).setUint32(cdStart + 24, 0xfffffff0, true); // uncompressed size: 4 GB
    expect(() => readZip(bomb, 'bomb.zip')).toThrow(/bomb\.zip: entry "a\/data": announces 4294967280 bytes from \d+ compressed ones, more than deflate can produce/);
    const past = z.slice();
    new DataView(past.buffer).setUint32(cdStart + 20, 0x7ffffff0, true); // compressed size past the end
    expect(() => readZip(past, 'past.zip')).toThrow(/past\.zip: entry "a\/data": 2147483632 bytes at offset 0 run past the end/);
  });
  it('reports a central directory record cut short (was a RangeError from DataView)', () => {
    const z = stored({ 'a/b': enc.encode('x') });
    const eocd = z.length - 22;
    const cut = z.slice();
    new DataView(cut.buffer).setUint32(eocd + 12, 40, true); // directory size 40 < one record
    expect(() => readZip(cut, 'cut.zip')).toThrow(/cut\.zip: /);
  });
});

describe('pickles: only what a state dict needs, nothing ever called', () => {
  it('refuses GLOBAL os system + REDUCE, naming the global, before anything runs', () => {
    const evil = pickleBytes([0x80, 2], pickleGlobal('os', 'system'), pickleString('touch /tmp/pwned'), [0x85, 0x52, 0x2e]);
    expect(() => readStateDictPickle(evil, 'data.pkl')).toThrow(/data\.pkl: global os\.system is not allowed .*nothing from this file was run \(at byte 13\)/);
  });
  it('refuses builtins.eval through STACK_GLOBAL too, and any other callable torch does not pickle', () => {
    const evil = pickleBytes([0x80, 4], [0x8c, 8], 'builtins', [0x8c, 4], 'eval', [0x93], pickleString('1+1'), [0x85, 0x52, 0x2e]);
    expect(() => readStateDictPickle(evil, 'data.pkl')).toThrow(/global builtins\.eval is not allowed/);
    const getattr = pickleBytes([0x80, 2], pickleGlobal('torch', 'load'), [0x29, 0x52, 0x2e]);
    expect(() => readStateDictPickle(getattr, 'data.pkl')).toThrow(/global torch\.load is not allowed/);
  });
  it('refuses a whole archive with such a pickle inside (the torch.save layout)', () => {
    const evil = pickleBytes([0x80, 2], pickleGlobal('subprocess', 'Popen'), pickleString('ls'), [0x85, 0x52, 0x2e]);
    const bin = zipSync({ 'archive/data.pkl': [evil, { level: 0 }] });
    expect(() => readPytorchBin(bin, 'evil.bin')).toThrow(/evil\.bin:archive\/data\.pkl: global subprocess\.Popen is not allowed/);
  });
  it('APPENDS with 200k items is an error or a list, not a stack overflow', () => {
    const many = pickleBytes([0x80, 2, 0x5d, 0x28], Array.from({ length: 200_000 }, () => 0x4e), [0x65, 0x2e]);
    expect(() => readStateDictPickle(many, 'data.pkl')).toThrow(/data\.pkl: the pickle is not a state dict/);
  });
  it('a string that is not UTF-8 is a clear error (was a TypeError from TextDecoder)', () => {
    expect(() => readStateDictPickle(pickleBytes([0x80, 2, 0x58, 2, 0, 0, 0, 0xff, 0xfe, 0x2e]), 'data.pkl')).toThrow(/data\.pkl: a string is not valid UTF-8/);
  });
  it('negative sizes and offsets are refused (a negative size was a RangeError from Float32Array)', () => {
    const t = { name: 'w', shape: [2], storage: 'FloatStorage' as const, bytes: new Uint8Array(8) };
    const pkl = torchZip([t]);
    // size tuple (BININT1 2) -> BININT -2
    const bytes = readZip(pkl, 'x').get('archive/data.pkl')!.read();
    const i = bytes.indexOf(0x28, bytes.indexOf(0x51) + 3); // MARK of the size tuple
    const bad = pickleBytes([...bytes.subarray(0, i + 1)], [0x4a, 0xfe, 0xff, 0xff, 0xff], [...bytes.subarray(i + 3)]);
    expect(() => readStateDictPickle(bad, 'data.pkl')).toThrow(/data\.pkl: tensor size\[0\] must not be negative, got -2/);
  });
  it('the shallow describer never recurses into a self-referencing list (unsupported persistent id)', () => {
    // a list holding itself as the persistent id
    const pkl = pickleBytes([0x80, 2, 0x5d, 0x71, 0, 0x68, 0, 0x61, 0x51, 0x2e]);
    expect(() => readStateDictPickle(pkl, 'data.pkl')).toThrow(/data\.pkl: unsupported persistent id \(\)/);
    expect(pickleInt(300)).toEqual([0x4d, 44, 1]);
  });
});

describe('non-finite weights', () => {
  it('are refused by name unless allowNonFinite is set', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'spert-nonfinite-'));
    try {
      await copyFile(sharedPath('fixtures', 'tiny-bert', 'config.json'), path.join(dir, 'config.json'));
      const st = readSafetensors(new Uint8Array(await import('node:fs').then((f) => f.readFileSync(sharedPath('fixtures', 'tiny-bert', 'model.safetensors'))))).tensors;
      const ln = st.get('bert.embeddings.LayerNorm.weight')!;
      (ln.data as Float32Array)[3] = NaN;
      (st.get('bert.pooler.dense.bias')!.data as Float32Array)[0] = -Infinity;
      await writeFile(path.join(dir, 'model.safetensors'), writeSafetensors(st));
      await expect(loadCheckpoint({ dir })).rejects.toThrow(
        /model\.safetensors: 2 tensors hold NaN or infinite values: "bert\.embeddings\.LayerNorm\.weight" \(1 NaN, 0 infinite; first at index 3\), "bert\.pooler\.dense\.bias" \(0 NaN, 1 infinite; first at index 0\)\. .*--allow-non-finite/,
      );
      const ok = await loadCheckpoint({ dir, allowNonFinite: true });
      expect(Number.isNaN(ok.encoderTensors.get('embeddings.LayerNorm.weight')!.data[3])).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
