// Reads a PyTorch state dict saved by torch.save (zip format, torch >= 1.6): `<root>/data.pkl`
// names the tensors and `<root>/data/<key>` holds each storage's raw little-endian bytes.
import { PickleDict, PickleGlobal, PickleTuple, unpickle, type PickleValue } from './pickle';
import type { NamedTensor } from './safetensors';
import { bf16ToFloat, halfToFloat } from './dtype';
import { readZip } from './zip-reader';

const STORAGES: Record<string, { bytes: number; kind: 'f32' | 'f16' | 'bf16' | 'f64' | 'i64' | 'i32' }> = {
  FloatStorage: { bytes: 4, kind: 'f32' },
  HalfStorage: { bytes: 2, kind: 'f16' },
  BFloat16Storage: { bytes: 2, kind: 'bf16' },
  DoubleStorage: { bytes: 8, kind: 'f64' },
  LongStorage: { bytes: 8, kind: 'i64' },
  IntStorage: { bytes: 4, kind: 'i32' },
};

interface StorageRef {
  kind: 'storage';
  type: string;
  key: string;
  numel: number;
}

interface TensorRef {
  kind: 'tensor';
  storage: StorageRef;
  offset: number;
  shape: number[];
}

/** Parses a pytorch_model.bin state dict into float32 (or int32) tensors; `source` names it in errors. */
export function readPytorchBin(bytes: Uint8Array, source = 'pytorch_model.bin'): Map<string, NamedTensor> {
  if (bytes.length >= 2 && bytes[0] === 0x80 && bytes[1] <= 5) {
    throw new Error(`${source}: legacy (pre-1.6, non-zip) torch.save format is not supported; re-save it with torch >= 1.6 or convert it to safetensors`);
  }
  const zip = readZip(bytes, source);
  const pklName = [...zip.keys()].find((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (!pklName) throw new Error(`${source}: no <root>/data.pkl in the archive (not a torch.save zip)`);
  const root = pklName.slice(0, -'data.pkl'.length);
  const where = `${source}:${pklName}`;
  const fail = (msg: string): never => {
    throw new Error(`${where}: ${msg}`);
  };
  const int = (v: PickleValue, what: string): number => {
    if (typeof v !== 'number' || !Number.isInteger(v)) fail(`${what} must be an integer, got ${String(v)}`);
    return v as number;
  };
  const intTuple = (v: PickleValue, what: string): number[] => {
    if (!(v instanceof PickleTuple)) fail(`${what} must be a tuple`);
    return (v as PickleTuple).items.map((x, i) => int(x, `${what}[${i}]`));
  };

  const state = unpickle(zip.get(pklName)!.read(), {
    persistentLoad(pid) {
      const items = pid instanceof PickleTuple ? pid.items : [];
      const [tag, type, key, , numel] = items;
      if (tag !== 'storage' || !(type instanceof PickleGlobal) || typeof key !== 'string') fail(`unsupported persistent id ${JSON.stringify(items.map(String))}`);
      const t = type as PickleGlobal;
      if (t.module !== 'torch' || !STORAGES[t.name]) fail(`unsupported storage type ${t.qualified} (supported: ${Object.keys(STORAGES).join(', ')})`);
      const ref: StorageRef = { kind: 'storage', type: t.name, key: key as string, numel: int(numel ?? -1, 'storage numel') };
      return ref;
    },
    call(fn, args) {
      const a = args.items;
      switch (fn.qualified) {
        case 'collections.OrderedDict':
          if (a.length) fail('OrderedDict with constructor arguments is not supported');
          return new PickleDict();
        case 'torch._utils._rebuild_tensor_v2': {
          const storage = a[0] as StorageRef;
          if (!storage || storage.kind !== 'storage') fail('_rebuild_tensor_v2 without a storage');
          const shape = intTuple(a[2], 'tensor size');
          const stride = intTuple(a[3], 'tensor stride');
          let expect = 1;
          for (let d = shape.length - 1; d >= 0; d--) {
            if (shape[d] !== 1 && stride[d] !== expect) fail(`tensor with size [${shape}] and stride [${stride}] in storage ${storage.key} is not contiguous; save it after .contiguous()`);
            expect *= shape[d];
          }
          const ref: TensorRef = { kind: 'tensor', storage, offset: int(a[1], 'storage offset'), shape };
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

  const storages = new Map<string, Uint8Array>();
  const out = new Map<string, NamedTensor>();
  for (const [name, v] of (state as PickleDict).entries) {
    const t = v as TensorRef;
    if (typeof name !== 'string') return fail(`state dict key ${name} is not a string`);
    if (!t || t.kind !== 'tensor') fail(`entry "${name}" is not a tensor`);
    const spec = STORAGES[t.storage.type];
    const entryName = `${root}data/${t.storage.key}`;
    let raw = storages.get(t.storage.key);
    if (!raw) {
      const entry = zip.get(entryName);
      if (!entry) fail(`tensor "${name}": storage file ${entryName} is missing`);
      raw = entry!.read();
      if (t.storage.numel >= 0 && raw.length !== t.storage.numel * spec.bytes) fail(`tensor "${name}": storage ${entryName} has ${raw.length} bytes, expected ${t.storage.numel} x ${spec.bytes}`);
      storages.set(t.storage.key, raw);
    }
    const count = t.shape.reduce((x, y) => x * y, 1);
    const begin = t.offset * spec.bytes;
    if (begin + count * spec.bytes > raw.length) fail(`tensor "${name}": offset ${t.offset} + ${count} elements exceed its storage (${raw.length / spec.bytes} elements)`);
    out.set(name, { shape: t.shape, data: widen(raw, begin, count, spec.kind, name, where) });
  }
  return out;
}

function widen(raw: Uint8Array, begin: number, count: number, kind: string, name: string, where: string): Float32Array | Int32Array {
  const view = new DataView(raw.buffer, raw.byteOffset + begin, count * ({ f32: 4, i32: 4, f16: 2, bf16: 2, f64: 8, i64: 8 } as Record<string, number>)[kind]);
  switch (kind) {
    case 'f32': {
      const out = new Float32Array(count);
      new Uint8Array(out.buffer).set(raw.subarray(begin, begin + count * 4));
      return out;
    }
    case 'i32': {
      const out = new Int32Array(count);
      new Uint8Array(out.buffer).set(raw.subarray(begin, begin + count * 4));
      return out;
    }
    case 'f16':
    case 'bf16': {
      const out = new Float32Array(count);
      const f = kind === 'f16' ? halfToFloat : bf16ToFloat;
      for (let i = 0; i < count; i++) out[i] = f(view.getUint16(i * 2, true));
      return out;
    }
    case 'f64': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, true);
      return out;
    }
    default: {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const x = view.getBigInt64(i * 8, true);
        if (x > 2147483647n || x < -2147483648n) throw new Error(`${where}: tensor "${name}": int64 value ${x} does not fit int32`);
        out[i] = Number(x);
      }
      return out;
    }
  }
}
