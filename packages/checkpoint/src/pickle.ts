import { SpertError } from '@spert/core';
// A strict unpickler for exactly the subset of the pickle format that PyTorch state dicts use
// (protocol 2, also the few protocol 4 opcodes newer torch writes). No code is ever executed:
// callables are resolved through an explicit allow-list supplied by the caller, and a caller that
// passes `allowGlobal` has every GLOBAL refused, by name, the moment the pickle names it.

/** A reference to a global (module + name) named by the pickle, never imported. */
export class PickleGlobal {
  /** Records module and attribute name. */
  constructor(readonly module: string, readonly name: string) {}
  /** "module.name", for error messages and lookups. */
  get qualified(): string {
    return `${this.module}.${this.name}`;
  }
}

/** A Python tuple (kept apart from lists so REDUCE arguments are recognisable). */
export class PickleTuple {
  /** Wraps the items. */
  constructor(readonly items: PickleValue[]) {}
}

/** A Python dict or OrderedDict, insertion-ordered. */
export class PickleDict {
  readonly entries = new Map<string | number, PickleValue>();
}

/** Anything the unpickler can produce; `unknown` covers objects that callbacks return. */
export type PickleValue = null | boolean | number | bigint | string | PickleValue[] | PickleTuple | PickleDict | PickleGlobal | { readonly kind: string };

/** Hooks that give meaning to persistent ids and to calls (REDUCE). */
export interface UnpickleHooks {
  /** Resolves a persistent id (torch: a storage reference tuple). */
  persistentLoad(pid: PickleValue): PickleValue;
  /** Applies an allowed callable to its arguments; throws for anything not allowed. */
  call(fn: PickleGlobal, args: PickleTuple): PickleValue;
  /** Applies BUILD (setstate) to an object; throws for anything not allowed. */
  build?(obj: PickleValue, state: PickleValue): PickleValue;
  /** Whether the pickle may name this global at all; without it every global is only refused when called. */
  allowGlobal?(global: PickleGlobal): boolean;
}

/** A short description of a pickled value for error messages (never recursive: hostile values nest without end). */
export function describePickleValue(v: PickleValue): string {
  if (v === null) return 'None';
  if (typeof v === 'string') return JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}...` : v);
  if (typeof v !== 'object') return String(v);
  if (v instanceof PickleGlobal) return v.qualified;
  if (v instanceof PickleTuple) return `tuple of ${v.items.length}`;
  if (v instanceof PickleDict) return `dict of ${v.entries.size}`;
  if (Array.isArray(v)) return `list of ${v.length}`;
  return String(v.kind);
}

const MARK = Symbol('mark');
type StackItem = PickleValue | typeof MARK;

/** Unpickles `bytes` with the given hooks; `source` names the stream in error messages. */
export function unpickle(bytes: Uint8Array, hooks: UnpickleHooks, source = 'pickle'): PickleValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const stack: StackItem[] = [];
  const memo = new Map<number, PickleValue>();
  let pos = 0;
  const err = (msg: string): never => {
    throw new SpertError('INVALID_CHECKPOINT', `${source}: ${msg} (at byte ${pos})`);
  };
  const need = (n: number) => {
    if (pos + n > bytes.length) err(`unexpected end of data (truncated pickle)`);
  };
  const u8 = () => (need(1), bytes[pos++]);
  const u16 = () => (need(2), (pos += 2), view.getUint16(pos - 2, true));
  const u32 = () => (need(4), (pos += 4), view.getUint32(pos - 4, true));
  const i32 = () => (need(4), (pos += 4), view.getInt32(pos - 4, true));
  const str = (n: number) => {
    need(n);
    let s = '';
    try {
      s = utf8.decode(bytes.subarray(pos, pos + n));
    } catch {
      err('a string is not valid UTF-8');
    }
    pos += n;
    return s;
  };
  const global = (module: string, name: string): PickleGlobal => {
    const g = new PickleGlobal(module, name);
    if (hooks.allowGlobal && !hooks.allowGlobal(g)) err(`global ${g.qualified} is not allowed (a PyTorch state dict names only torch storage types, torch._utils rebuild functions and collections.OrderedDict); nothing from this file was run`);
    return g;
  };
  const line = () => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) err('unterminated text line');
    const s = new TextDecoder('latin1').decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const pop = (): PickleValue => {
    const v = stack.pop();
    if (v === undefined || v === MARK) err('stack underflow');
    return v as PickleValue;
  };
  const popMark = (): PickleValue[] => {
    let i = stack.length - 1;
    while (i >= 0 && stack[i] !== MARK) i--;
    if (i < 0) err('MARK not found');
    const items = stack.slice(i + 1) as PickleValue[];
    stack.length = i;
    return items;
  };
  const top = (): PickleValue => {
    const v = stack[stack.length - 1];
    if (v === undefined || v === MARK) err('stack underflow');
    return v as PickleValue;
  };
  const setItems = (d: PickleValue, kv: PickleValue[]) => {
    if (!(d instanceof PickleDict)) err('SETITEM(S) on a non-dict');
    for (let i = 0; i + 1 < kv.length; i += 2) {
      const k = kv[i];
      if (typeof k !== 'string' && typeof k !== 'number') err(`unsupported dict key type ${typeof k}`);
      (d as PickleDict).entries.set(k as string | number, kv[i + 1]);
    }
  };
  const memoGet = (i: number) => {
    if (!memo.has(i)) err(`memo key ${i} missing`);
    return memo.get(i) as PickleValue;
  };

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) err('unsupported pickle protocol');
        break;
      case 0x95: // FRAME (framing is transparent for an in-memory reader)
        need(8);
        pos += 8;
        break;
      case 0x2e: // STOP
        return pop();
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new PickleDict());
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push(new PickleTuple([]));
        break;
      case 0x74: // TUPLE
        stack.push(new PickleTuple(popMark()));
        break;
      case 0x85: // TUPLE1
        stack.push(new PickleTuple([pop()]));
        break;
      case 0x86: { // TUPLE2
        const b = pop();
        stack.push(new PickleTuple([pop(), b]));
        break;
      }
      case 0x87: { // TUPLE3
        const c = pop();
        const b = pop();
        stack.push(new PickleTuple([pop(), b, c]));
        break;
      }
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x4a: // BININT
        stack.push(i32());
        break;
      case 0x8a: { // LONG1: little-endian two's complement
        const n = u8();
        need(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[pos + i]);
        if (n > 0 && bytes[pos + n - 1] & 0x80) v -= 1n << BigInt(8 * n);
        pos += n;
        stack.push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
        break;
      }
      case 0x47: // BINFLOAT (big-endian double)
        need(8);
        stack.push(view.getFloat64(pos, false));
        pos += 8;
        break;
      case 0x58: // BINUNICODE
        stack.push(str(u32()));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(str(u8()));
        break;
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
        stack.push(memoGet(u8()));
        break;
      case 0x6a: // LONG_BINGET
        stack.push(memoGet(u32()));
        break;
      case 0x63: { // GLOBAL
        const module = line();
        stack.push(global(module, line()));
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') err('STACK_GLOBAL needs two strings');
        stack.push(global(module as string, name as string));
        break;
      }
      case 0x51: // BINPERSID
        stack.push(hooks.persistentLoad(pop()));
        break;
      case 0x52: { // REDUCE
        const args = pop();
        const fn = pop();
        if (!(fn instanceof PickleGlobal) || !(args instanceof PickleTuple)) err('REDUCE needs a global and an argument tuple');
        stack.push(hooks.call(fn as PickleGlobal, args as PickleTuple));
        break;
      }
      case 0x62: { // BUILD
        const state = pop();
        const obj = pop();
        if (!hooks.build) err('BUILD is not allowed here');
        stack.push(hooks.build!(obj, state));
        break;
      }
      case 0x73: { // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: { // SETITEMS
        const kv = popMark();
        setItems(top(), kv);
        break;
      }
      case 0x61: { // APPEND
        const v = pop();
        const l = top();
        if (!Array.isArray(l)) err('APPEND on a non-list');
        (l as PickleValue[]).push(v);
        break;
      }
      case 0x65: { // APPENDS
        const items = popMark();
        const l = top();
        if (!Array.isArray(l)) err('APPENDS on a non-list');
        // one at a time: spreading a huge MARK run would overflow the call stack
        for (const item of items) (l as PickleValue[]).push(item);
        break;
      }
      default:
        pos--;
        err(`unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')} ('${String.fromCharCode(op)}'); only what PyTorch state dicts use is accepted`);
    }
  }
}
