// Test helper: property-based fuzzing of file readers with fast-check. Every target gets a seed
// corpus (small files made from the real fixtures, committed under tools/testing/fuzz-corpus) and
// feeds mutations of it (byte flips, truncation, splices, inserted and deleted runs, integers
// overwritten with boundary values, JSON-aware edits) to a reader. Each input must end in a result
// or in a clear error: an Error whose message names the file, never a RangeError / TypeError /
// ReferenceError / raw SyntaxError (a crash), and within a time limit (a hang).
//
// `npm test` runs each target for a fixed number of inputs with a fixed seed, so CI is
// reproducible. SPERT_FUZZ_RUNS=<n> runs n inputs per target; SPERT_FUZZ_SEED=<int> or
// SPERT_FUZZ_SEED=random picks the seed (printed, with fast-check's path, when an input fails);
// tools/testing/fuzz-long.sh does both for every target.
import fc from 'fast-check';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/** Folder of the committed seed corpus, one subfolder per target. */
export const corpusRoot = path.join(__dirname, 'fuzz-corpus');

/** The seed files of one target (sorted by name, so runs are reproducible). */
export function corpus(target: string): Array<{ name: string; bytes: Uint8Array }> {
  const dir = path.join(corpusRoot, target);
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    throw new Error(`fuzz corpus ${dir} is missing: run \`npx tsx tools/testing/make-fuzz-corpus.ts\` (it reads ../shared/fixtures and ../shared/datasets)`);
  }
  if (names.length === 0) throw new Error(`fuzz corpus ${dir} is empty`);
  return names.map((name) => ({ name, bytes: new Uint8Array(readFileSync(path.join(dir, name))) }));
}

const INTERESTING = [0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0xffff, 0x10000, 0x7fffffff, 0xffffffff, 2 ** 40, Number.MAX_SAFE_INTEGER];
const JSON_EDITS = ['-1', '0', '1e308', '-1e308', '4294967296', '9007199254740993', '1.5', 'null', 'true', '""', '"../../etc/passwd"', '"/abs"', '[]', '{}', '"__proto__"', '"\\ud800"'];

/** One mutation step; positions are taken modulo the current length. */
type Op =
  | { kind: 'flip'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: number[] }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'int'; at: number; value: number; width: 1 | 2 | 4 | 8 }
  | { kind: 'splice'; at: number; other: number; from: number }
  | { kind: 'repeat'; at: number; length: number; times: number }
  | { kind: 'json'; at: number; edit: number }
  | { kind: 'nest'; at: number; depth: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), weight: 5 },
  { arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 16 }) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('int' as const), at: fc.nat(), value: fc.constantFrom(...INTERESTING), width: fc.constantFrom(1 as const, 2 as const, 4 as const, 8 as const) }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), other: fc.nat(), from: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 32 }), times: fc.integer({ min: 2, max: 64 }) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('json' as const), at: fc.nat(), edit: fc.nat({ max: JSON_EDITS.length - 1 }) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('nest' as const), at: fc.nat(), depth: fc.constantFrom(50, 1000, 100_000) }), weight: 1 },
);

const enc = new TextEncoder();

/** Applies `op` to `bytes` (a new array); `seeds` feed splices. */
function apply(bytes: Uint8Array, op: Op, seeds: readonly Uint8Array[]): Uint8Array {
  const n = bytes.length;
  const at = n === 0 ? 0 : op.at % (n + 1);
  const cat = (...parts: Uint8Array[]) => {
    const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  };
  switch (op.kind) {
    case 'flip': {
      if (n === 0) return bytes;
      const out = bytes.slice();
      out[op.at % n] = op.value;
      return out;
    }
    case 'truncate':
      return bytes.slice(0, at);
    case 'insert':
      return cat(bytes.subarray(0, at), Uint8Array.from(op.bytes), bytes.subarray(at));
    case 'delete':
      return cat(bytes.subarray(0, at), bytes.subarray(Math.min(n, at + op.length)));
    case 'int': {
      if (n < op.width) return bytes;
      const out = bytes.slice();
      const view = new DataView(out.buffer);
      const p = op.at % (n - op.width + 1);
      if (op.width === 8) view.setBigUint64(p, BigInt(op.value), true);
      else for (let i = 0; i < op.width; i++) out[p + i] = Math.floor(op.value / 256 ** i) & 0xff;
      return out;
    }
    case 'splice': {
      const other = seeds[op.other % seeds.length];
      return cat(bytes.subarray(0, at), other.subarray(other.length === 0 ? 0 : op.from % other.length));
    }
    case 'repeat': {
      const chunk = bytes.subarray(at, Math.min(n, at + op.length));
      return cat(bytes.subarray(0, at), ...Array.from({ length: op.times }, () => chunk), bytes.subarray(at));
    }
    case 'json': {
      // Replace the JSON scalar (number, literal or string) that starts at or after `at`.
      const text = new TextDecoder().decode(bytes);
      const re = /-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null|"(?:[^"\\]|\\.)*"/g;
      re.lastIndex = text.length === 0 ? 0 : op.at % text.length;
      const m = re.exec(text) ?? (re.lastIndex = 0, re.exec(text));
      if (!m) return bytes;
      return enc.encode(text.slice(0, m.index) + JSON_EDITS[op.edit] + text.slice(m.index + m[0].length));
    }
    case 'nest': {
      // Deeply nested JSON in place of the scalar at `at`: what a depth limit must stop.
      const text = new TextDecoder().decode(bytes);
      const re = /-?\d+(\.\d+)?|true|false|null|"(?:[^"\\]|\\.)*"/g;
      re.lastIndex = text.length === 0 ? 0 : op.at % text.length;
      const m = re.exec(text) ?? (re.lastIndex = 0, re.exec(text));
      const deep = '['.repeat(op.depth) + ']'.repeat(op.depth);
      if (!m) return enc.encode(deep);
      return enc.encode(text.slice(0, m.index) + deep + text.slice(m.index + m[0].length));
    }
  }
}

/** Mutated inputs of `seeds`: a seed (sometimes unchanged) with one to four mutations. */
export function mutations(seeds: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  return fc
    .record({ seed: fc.nat({ max: seeds.length - 1 }), ops: fc.array(opArb, { minLength: 0, maxLength: 4 }) })
    .map(({ seed, ops }) => ops.reduce((b, op) => apply(b, op, seeds), seeds[seed]));
}

/** Inputs per target and the seed: fixed for `npm test`, from SPERT_FUZZ_RUNS / SPERT_FUZZ_SEED for longer runs. */
export function fuzzSettings(defaultRuns: number): { numRuns: number; seed: number } {
  const runs = process.env.SPERT_FUZZ_RUNS ? Number(process.env.SPERT_FUZZ_RUNS) : defaultRuns;
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`SPERT_FUZZ_RUNS must be a positive integer, got ${process.env.SPERT_FUZZ_RUNS}`);
  const raw = process.env.SPERT_FUZZ_SEED;
  const seed = raw === 'random' ? Math.floor(Math.random() * 0x7fffffff) : raw ? Number(raw) : 20261205;
  if (raw === 'random') process.stdout.write(`fuzz seed ${seed} (replay with SPERT_FUZZ_SEED=${seed})\n`);
  if (!Number.isInteger(seed)) throw new Error(`SPERT_FUZZ_SEED must be an integer or "random", got ${raw}`);
  return { numRuns: runs, seed };
}

/** Why a thrown value is a crash rather than the project's clear error, or undefined when it is clear. */
export function crashReason(e: unknown, source: string): string | undefined {
  // by name, not instanceof: errors of node's own realm (a stack overflow) are not jest's RangeError
  if (typeof e !== 'object' || e === null || typeof (e as Error).message !== 'string') return `threw a non-Error: ${String(e)}`;
  if (!(e instanceof Error) && Object.prototype.toString.call(e) !== '[object Error]') return `threw a non-Error: ${String(e)}`;
  const { name, message, stack } = e as Error;
  if (['RangeError', 'TypeError', 'ReferenceError', 'SyntaxError', 'InternalError'].includes(name)) return `${name}: ${message}\n${stack}`;
  if (!message.includes(source)) return `the error does not name the file ${source}: ${message}`;
  return undefined;
}

/** A reader under fuzzing. */
export interface FuzzTarget {
  /** Corpus folder name (tools/testing/fuzz-corpus/<name>). */
  name: string;
  /** File name handed to the reader; its clear errors must contain it. */
  source: string;
  /** Reads one input; returning (anything) is a result, throwing must be a clear error. */
  read(bytes: Uint8Array): unknown;
  /** Inputs for `npm test` (a few seconds). */
  runs: number;
  /** Longest time one input may take, in ms (default 2000). */
  timeLimitMs?: number;
}

/** Outcome counts of a fuzz run, for the log and the docs. */
export interface FuzzReport {
  target: string;
  inputs: number;
  results: number;
  errors: number;
  seed: number;
  ms: number;
}

/**
 * Runs a target: every seed unchanged, then mutated inputs; fails (with fast-check's seed and
 * shrunk counterexample) on a crash, an error that does not name the file, or an input slower
 * than the limit. A seed itself must read without error.
 */
export async function runFuzzTarget(target: FuzzTarget): Promise<FuzzReport> {
  const seeds = corpus(target.name).map((s) => s.bytes);
  for (const [i, s] of seeds.entries()) {
    try {
      await target.read(s);
    } catch (e) {
      throw new Error(`${target.name}: seed ${corpus(target.name)[i].name} does not read: ${(e as Error).message}`);
    }
  }
  const { numRuns, seed } = fuzzSettings(target.runs);
  const limit = target.timeLimitMs ?? 2000;
  let results = 0;
  let errors = 0;
  const started = Date.now();
  await fc.assert(
    fc.asyncProperty(mutations(seeds), async (bytes) => {
      // a hang cannot be interrupted in-process: SPERT_FUZZ_LAST keeps the input being read, to replay it
      if (process.env.SPERT_FUZZ_LAST) writeFileSync(process.env.SPERT_FUZZ_LAST, bytes);
      const t0 = Date.now();
      try {
        await target.read(bytes);
        results++;
      } catch (e) {
        const why = crashReason(e, target.source);
        if (why) throw new Error(`${target.name}: ${why}`);
        errors++;
      }
      const ms = Date.now() - t0;
      if (ms > limit) throw new Error(`${target.name}: one input took ${ms} ms (limit ${limit} ms)`);
    }),
    { numRuns, seed, endOnFailure: false },
  );
  const report = { target: target.name, inputs: numRuns, results, errors, seed, ms: Date.now() - started };
  if (process.env.SPERT_FUZZ_RUNS || process.env.SPERT_FUZZ_REPORT) {
    process.stdout.write(`fuzz ${report.target}: ${report.inputs} inputs (${report.results} results, ${report.errors} clear errors) in ${report.ms} ms, seed ${report.seed}\n`);
  }
  return report;
}
