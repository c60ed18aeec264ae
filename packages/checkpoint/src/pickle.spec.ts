import { PickleDict, PickleGlobal, PickleTuple, unpickle, type UnpickleHooks } from './pickle';

const hooks: UnpickleHooks = {
  persistentLoad: (pid) => ({ kind: `pid:${String((pid as PickleTuple).items[0])}` }),
  call: (fn) => {
    if (fn.qualified !== 'collections.OrderedDict') throw new Error(`not allowed: ${fn.qualified}`);
    return new PickleDict();
  },
};

// Bytes written by CPython's pickle.dumps(..., protocol=2) (hand-checked with pickletools).
const bytes = (...parts: Array<number[] | string>) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...new TextEncoder().encode(p)] : p)));

describe('unpickle', () => {
  it('decodes the opcodes torch state dicts use', () => {
    // {'a': (1, 300, -2, True, None), 'b': [2**40, 1.5]}
    const data = bytes(
      [0x80, 2, 0x7d, 0x71, 0, 0x28],
      [0x58, 1, 0, 0, 0], 'a',
      [0x28, 0x4b, 1, 0x4d, 0x2c, 0x01, 0x4a, 0xfe, 0xff, 0xff, 0xff, 0x88, 0x4e, 0x74],
      [0x58, 1, 0, 0, 0], 'b',
      [0x5d, 0x28, 0x8a, 6, 0, 0, 0, 0, 0, 1, 0x47, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0, 0x65],
      [0x75, 0x2e],
    );
    const d = unpickle(data, hooks) as PickleDict;
    expect((d.entries.get('a') as PickleTuple).items).toEqual([1, 300, -2, true, null]);
    expect(d.entries.get('b')).toEqual([2 ** 40, 1.5]);
  });

  it('resolves globals through the hooks and refuses anything else', () => {
    const od = bytes([0x80, 2, 0x63], 'collections\nOrderedDict\n', [0x29, 0x52, 0x2e]);
    expect(unpickle(od, hooks)).toBeInstanceOf(PickleDict);
    const evil = bytes([0x80, 2, 0x63], 'os\nsystem\n', [0x58, 2, 0, 0, 0], 'ls', [0x85, 0x52, 0x2e]);
    expect(() => unpickle(evil, hooks)).toThrow(/not allowed: os\.system/);
    expect(new PickleGlobal('torch', 'FloatStorage').qualified).toBe('torch.FloatStorage');
  });

  it('reports unsupported opcodes and truncation with the byte position', () => {
    expect(() => unpickle(bytes([0x80, 2, 0x69]), hooks, 'data.pkl')).toThrow(/data\.pkl: unsupported pickle opcode 0x69 .* \(at byte 2\)/);
    expect(() => unpickle(bytes([0x80, 2, 0x58, 9, 0, 0, 0]), hooks)).toThrow(/truncated pickle/);
    expect(() => unpickle(bytes([0x80, 2, 0x68, 3]), hooks)).toThrow(/memo key 3 missing/);
  });
});
