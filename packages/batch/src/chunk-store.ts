import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, unlink } from 'node:fs/promises';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fsyncPath, renameDurable, writeFileAtomic } from '@spert/core';
import type { LineError } from './parse-line';
import type { ChunkResult } from './predict-chunk';

/** What identifies a run: a resumed run must have the same, or its chunks would not fit together. */
export interface BatchManifest {
  input: string;
  /** Size and modification time of the input file (absent for stdin). */
  inputSize?: number;
  inputMtimeMs?: number;
  format: string;
  chunkSize: number;
  /** Anything else that changes the output (model directory, pipeline options). */
  settings: Record<string, string | number | boolean | null>;
}

const MANIFEST = 'manifest.json';
const chunkName = (i: number) => `${String(i).padStart(8, '0')}.jsonl`;
const errorsName = (i: number) => `${String(i).padStart(8, '0')}.errors.jsonl`;

// The project's one atomic write (temporary file, fsync, rename, directory fsync): a reader (or a
// resumed run) sees the whole file or none of it, even after kill -9 or a power cut.
const writeAtomic = (file: string, data: string): Promise<void> => writeFileAtomic({ path: file, data });

function describeDifference(a: BatchManifest, b: BatchManifest): string {
  const flat = (m: BatchManifest): Record<string, unknown> => ({ input: m.input, inputSize: m.inputSize, inputMtimeMs: m.inputMtimeMs, format: m.format, chunkSize: m.chunkSize, ...m.settings });
  const fa = flat(a);
  const fb = flat(b);
  const keys = [...new Set([...Object.keys(fa), ...Object.keys(fb)])].filter((k) => JSON.stringify(fa[k]) !== JSON.stringify(fb[k]));
  return keys.map((k) => `${k} ${JSON.stringify(fa[k])} then, ${JSON.stringify(fb[k])} now`).join('; ');
}

/**
 * The chunks of one run, in `<output>.parts/`: each chunk's output and errors as files written
 * atomically (the output file last, so its presence means the chunk is done). A rerun with the
 * same manifest skips the finished chunks; `finalize` concatenates them in input order.
 */
export class ChunkStore {
  private constructor(
    readonly dir: string,
    private readonly done: Set<number>,
  ) {}

  /** Opens (or creates) the parts directory of `output`; refuses one written by a different run. */
  static async open(output: string, manifest: BatchManifest): Promise<ChunkStore> {
    const dir = `${output}.parts`;
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, MANIFEST);
    let existing: BatchManifest | undefined;
    try {
      existing = JSON.parse(await readFile(file, 'utf8')) as BatchManifest;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${file}: unreadable manifest (${(e as Error).message}); delete ${dir} to start over`);
    }
    if (existing) {
      const diff = describeDifference(existing, manifest);
      if (diff) throw new Error(`${dir} holds chunks of a different run (${diff}): rerun with the same input and options, or delete ${dir} to start over`);
    } else {
      await writeAtomic(file, JSON.stringify(manifest, null, 2) + '\n');
    }
    const done = new Set<number>();
    for (const name of await readdir(dir)) {
      const m = /^(\d{8})\.jsonl$/.exec(name);
      if (m) done.add(Number(m[1]));
      else if (name.endsWith('.tmp')) await unlink(path.join(dir, name)); // a write cut short by a kill
    }
    return new ChunkStore(dir, done);
  }

  /** True when chunk `index` was finished by this or an earlier run. */
  has(index: number): boolean {
    return this.done.has(index);
  }

  /** Chunks finished so far. */
  get finished(): number {
    return this.done.size;
  }

  /** Stores a chunk's output and errors atomically. */
  async write(result: ChunkResult): Promise<void> {
    const errors = result.errors.map((e) => JSON.stringify(e) + '\n').join('');
    await writeAtomic(path.join(this.dir, errorsName(result.index)), errors);
    await writeAtomic(path.join(this.dir, chunkName(result.index)), result.output);
    this.done.add(result.index);
  }

  /** Reads back the errors of a finished chunk (to count them on resume). */
  async errorsOf(index: number): Promise<LineError[]> {
    const text = await readFile(path.join(this.dir, errorsName(index)), 'utf8');
    return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as LineError);
  }

  /**
   * Streams chunks 0..count-1 into `output` and their errors into `errorsFile` (each via a
   * temporary file and a rename), then removes the parts directory.
   */
  async finalize(count: number, output: string, errorsFile: string): Promise<void> {
    for (let i = 0; i < count; i++) if (!this.done.has(i)) throw new Error(`${this.dir}: chunk ${i} is missing; rerun the same command to finish it`);
    await this.concat(count, chunkName, output);
    await this.concat(count, errorsName, errorsFile);
    await rm(this.dir, { recursive: true, force: true });
  }

  private async concat(count: number, name: (i: number) => string, target: string): Promise<void> {
    await mkdir(path.dirname(path.resolve(target)), { recursive: true });
    const tmp = `${target}.${process.pid}.tmp`;
    // One generator over every chunk, so the output stream gets one pipeline (not one per chunk).
    const dir = this.dir;
    async function* chunks(): AsyncGenerator<Buffer> {
      for (let i = 0; i < count; i++) for await (const b of createReadStream(path.join(dir, name(i)))) yield b as Buffer;
    }
    try {
      await pipeline(Readable.from(chunks()), createWriteStream(tmp));
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
    await fsyncPath(tmp);
    await renameDurable({ from: tmp, to: target });
  }
}

/** Size and mtime of an input file for the manifest (nothing for stdin). */
export async function inputIdentity(input: string): Promise<Pick<BatchManifest, 'inputSize' | 'inputMtimeMs'>> {
  if (input === '-') return {};
  let s;
  try {
    s = await stat(input);
  } catch (e) {
    throw new Error(`${input}: cannot read the input (${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message})`);
  }
  if (!s.isFile()) throw new Error(`${input}: the input must be a file (or - for stdin)`);
  return { inputSize: s.size, inputMtimeMs: Math.round(s.mtimeMs) };
}
