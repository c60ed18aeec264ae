// Reads a PyTorch state dict saved by torch.save (zip format, torch >= 1.6): `<root>/data.pkl`
// names the tensors and `<root>/data/<key>` holds each storage's raw little-endian bytes.
import { describePickleValue, PickleDict, PickleGlobal, PickleTuple, unpickle, type PickleValue } from './pickle';
import type { NamedTensor } from './safetensors';
import { decodeStored, STORED_BYTES, type StoredKind } from './dtype';
import { readZip } from './zip-reader';
import { SpertError } from '@spert/core';

const STORAGES: Record<string, StoredKind> = {
  FloatStorage: 'f32',
  HalfStorage: 'f16',
  BFloat16Storage: 'bf16',
  DoubleStorage: 'f64',
  LongStorage: 'i64',
  IntStorage: 'i32',
};

/** The only globals a state dict may name; anything else (os.system, builtins.eval, ...) is refused when the pickle names it. */
const ALLOWED_GLOBALS = new Set([
  'collections.OrderedDict',
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_parameter',
  ...Object.keys(STORAGES).map((s) => `torch.${s}`),
]);

/** A storage a state dict's pickle refers to (persistent id). */
export interface StorageRef {
  kind: 'storage';
  type: string;
  key: string;
  numel: number;
}

/** A tensor of a state dict's pickle: a view of a storage. */
export interface TensorRef {
  kind: 'tensor';
  storage: StorageRef;
  offset: number;
  shape: number[];
}

/**
 * Reads the data.pkl of a torch.save zip into tensor references (name -> storage view) without
 * touching the storages. Only the globals and opcodes a state dict uses are accepted; nothing
 * from the file is ever called. `where` names the pickle in errors.
 */
export function readStateDictPickle(pkl: Uint8Array, where = 'data.pkl'): Map<string, TensorRef> {
  const fail = (msg: string): never => {
    throw new SpertError('INVALID_CHECKPOINT', `${where}: ${msg}`);
  };
  const int = (v: PickleValue, what: string): number => {
    if (typeof v !== 'number' || !Number.isInteger(v)) fail(`${what} must be an integer, got ${describePickleValue(v)}`);
    return v as number;
  };
  const count = (v: PickleValue, what: string): number => {
    const n = int(v, what);
    if (n < 0) fail(`${what} must not be negative, got ${n}`);
    return n;
  };
  const intTuple = (v: PickleValue, what: string): number[] => {
    if (!(v instanceof PickleTuple)) fail(`${what} must be a tuple`);
    return (v as PickleTuple).items.map((x, i) => count(x, `${what}[${i}]`));
  };

  const state = unpickle(pkl, {
    allowGlobal: (g) => ALLOWED_GLOBALS.has(g.qualified),
    persistentLoad(pid) {
      const items = pid instanceof PickleTuple ? pid.items : [];
      const [tag, type, key, , numel] = items;
      if (tag !== 'storage' || !(type instanceof PickleGlobal) || typeof key !== 'string') fail(`unsupported persistent id (${items.map(describePickleValue).join(', ')})`);
      const t = type as PickleGlobal;
      if (t.module !== 'torch' || !STORAGES[t.name]) fail(`unsupported storage type ${t.qualified} (supported: ${Object.keys(STORAGES).join(', ')})`);
      const ref: StorageRef = { kind: 'storage', type: t.name, key: key as string, numel: numel === undefined ? -1 : count(numel, 'storage numel') };
      return ref;
    },
    call(fn, args) {
      const a = args.items;
      switch (fn.qualified) {
        case 'collections.OrderedDict':
          if (a.length) fail('OrderedDict with constructor arguments is not supported');
          return new PickleDict();
        case 'torch._utils._rebuild_tensor_v2': {
          const storage = a[0] as StorageRef | null;
          if (!storage || (storage as { kind?: unknown }).kind !== 'storage') fail('_rebuild_tensor_v2 without a storage');
          const shape = intTuple(a[2], 'tensor size');
          const stride = intTuple(a[3], 'tensor stride');
          if (stride.length !== shape.length) fail(`tensor size [${shape}] and stride [${stride}] differ in length`);
          let expect = 1;
          for (let d = shape.length - 1; d >= 0; d--) {
            if (shape[d] !== 1 && stride[d] !== expect) fail(`tensor with size [${shape}] and stride [${stride}] in storage ${storage!.key} is not contiguous; save it after .contiguous()`);
            expect *= shape[d];
          }
          const ref: TensorRef = { kind: 'tensor', storage: storage!, offset: count(a[1], 'storage offset'), shape };
          return ref;
        }
        case 'torch._utils._rebuild_parameter':
          return a[0];
        default:
          return fail(`unsupported callable ${fn.qualified} (only what torch state dicts use is accepted)`);
      }
    },
    build(obj, _state) {
      // state dicts carry `_metadata` (module versions) as instance state; it is not needed
      if (!(obj instanceof PickleDict)) fail('BUILD on something other than a dict');
      return obj;
    },
  }, where);
  if (!(state instanceof PickleDict)) fail('the pickle is not a state dict (dict of tensors)');
  const out = new Map<string, TensorRef>();
  for (const [name, v] of (state as PickleDict).entries) {
    if (typeof name !== 'string') return fail(`state dict key ${name} is not a string`);
    const t = v as TensorRef | null;
    if (!t || typeof t !== 'object' || t.kind !== 'tensor') fail(`entry "${name}" is not a tensor`);
    out.set(name, t!);
  }
  return out;
}

/** Parses a pytorch_model.bin state dict into float32 (or int32) tensors; `source` names it in errors. */
export function readPytorchBin(bytes: Uint8Array, source = 'pytorch_model.bin'): Map<string, NamedTensor> {
  if (bytes.length >= 2 && bytes[0] === 0x80 && bytes[1] <= 5) {
    throw new SpertError('UNSUPPORTED', `${source}: legacy (pre-1.6, non-zip) torch.save format is not supported; re-save it with torch >= 1.6 or convert it to safetensors`);
  }
  const zip = readZip(bytes, source);
  const pklName = [...zip.keys()].find((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (!pklName) throw new SpertError('INVALID_CHECKPOINT', `${source}: no <root>/data.pkl in the archive (not a torch.save zip)`);
  const root = pklName.slice(0, -'data.pkl'.length);
  const where = `${source}:${pklName}`;
  const fail = (msg: string): never => {
    throw new SpertError('INVALID_CHECKPOINT', `${where}: ${msg}`);
  };
  const refs = readStateDictPickle(zip.get(pklName)!.read(), where);

  const storages = new Map<string, Uint8Array>();
  const out = new Map<string, NamedTensor>();
  const storageTypes = new Map<string, string>();
  for (const [name, t] of refs) {
    const kind = STORAGES[t.storage.type];
    const size = STORED_BYTES[kind];
    const entryName = `${root}data/${t.storage.key}`;
    const seen = storageTypes.get(t.storage.key);
    if (seen !== undefined && seen !== t.storage.type) fail(`tensor "${name}": storage ${entryName} is used as ${seen} and as ${t.storage.type}`);
    storageTypes.set(t.storage.key, t.storage.type);
    let raw = storages.get(t.storage.key);
    if (!raw) {
      const entry = zip.get(entryName);
      if (!entry) fail(`tensor "${name}": storage file ${entryName} is missing`);
      raw = entry!.read();
      if (t.storage.numel >= 0 && raw.length !== t.storage.numel * size) fail(`tensor "${name}": storage ${entryName} has ${raw.length} bytes, expected ${t.storage.numel} x ${size}`);
      storages.set(t.storage.key, raw);
    }
    const count = t.shape.reduce((x, y) => x * y, 1);
    const begin = t.offset * size;
    if (begin + count * size > raw.length) fail(`tensor "${name}": offset ${t.offset} + ${count} elements exceed its storage (${raw.length / size} elements)`);
    out.set(name, { shape: t.shape, data: decodeStored(raw, begin, count, kind, (v) => {
        throw new SpertError('UNSUPPORTED', `${where}: tensor "${name}": int64 value ${v} does not fit int32`);
      }) });
  }
  return out;
}
