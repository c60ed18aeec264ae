import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { ERROR_CODES, isErrorCode } from './error-codes';
import { errorCodesPage } from './error-codes-page';
import { internalError, invariant, isSpertError, SpertError, toSpertError, type SerializedSpertError } from './errors';
import { JsonFileError, readJsonFile } from './json-file';
import { DatasetValidationError } from './problems';

// A subclass as the packages write them (SequenceTooLongError in @spert/tokenizer has this shape).
class TooLong extends SpertError {
  readonly wordCount: number;
  constructor(documentIndex: number, wordCount: number) {
    super('DOCUMENT_TOO_LONG', `document ${documentIndex} is too long: ${wordCount} words`, { documentIndex, wordCount, limit: 512 });
    this.name = 'TooLong';
    this.wordCount = wordCount;
  }
}

// Runs `body` in a real worker thread that has @spert/core's errors module (through tsx) and posts what it builds.
function inWorker<T>(body: string): Promise<T> {
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    require('tsx/cjs/api').register();
    const { SpertError } = require(workerData.errorsFile);
    ${body}
  `;
  return new Promise<T>((resolve, reject) => {
    const w = new Worker(source, { eval: true, workerData: { errorsFile: path.join(__dirname, 'errors.ts') } });
    w.once('message', (m: T) => void w.terminate().then(() => resolve(m)));
    w.once('error', reject);
  });
}

describe('SpertError', () => {
  it('carries a code of the table, a message and plain JSON details (undefined fields dropped)', () => {
    const e = new SpertError('INVALID_OPTION', '--port: expected an integer', { field: '--port', limit: 65535, file: undefined });
    expect(e).toBeInstanceOf(Error);
    expect([e.name, e.code, e.message]).toEqual(['SpertError', 'INVALID_OPTION', '--port: expected an integer']);
    expect(e.details).toEqual({ field: '--port', limit: 65535 });
    expect(e.info).toBe(ERROR_CODES.INVALID_OPTION);
    expect(e.documentIndex).toBeUndefined();
    expect(isSpertError(e)).toBe(true);
    expect(isSpertError(e, 'INVALID_OPTION')).toBe(true);
    expect(isSpertError(e, 'INVALID_INPUT')).toBe(false);
    expect(isSpertError(new Error('x'))).toBe(false);
  });

  it('survives JSON with code, message, details, name and stack', () => {
    const e = new TooLong(3, 700);
    const back = SpertError.fromJSON(JSON.parse(JSON.stringify(e)));
    expect(back).toBeInstanceOf(SpertError);
    expect([back.name, back.code, back.message, back.documentIndex, back.stack]).toEqual(['TooLong', 'DOCUMENT_TOO_LONG', e.message, 3, e.stack]);
    expect(back.details).toEqual({ documentIndex: 3, wordCount: 700, limit: 512 });
  });

  it('crosses a real worker thread as data (structured cloning alone would lose code and details)', async () => {
    const { data, cloned } = await inWorker<{ data: SerializedSpertError; cloned: Error }>(`
      const err = new SpertError('DOCUMENT_TOO_LONG', 'document 2 is too long', { documentIndex: 2, wordCount: 600, limit: 512 });
      parentPort.postMessage({ data: err.toJSON(), cloned: err });
    `);
    const back = SpertError.fromJSON(data);
    expect(isSpertError(back, 'DOCUMENT_TOO_LONG')).toBe(true);
    expect(back.documentIndex).toBe(2);
    expect(back.details).toEqual({ documentIndex: 2, wordCount: 600, limit: 512 });
    expect(back.message).toBe('document 2 is too long');
    expect(back.stack).toContain('document 2 is too long');
    // What postMessage does to the error object itself: an Error with the message, no code, no details.
    expect(Object.prototype.toString.call(cloned)).toBe('[object Error]');
    expect(cloned.message).toBe('document 2 is too long');
    expect((cloned as Partial<SpertError>).code).toBeUndefined();
    expect(isSpertError(cloned)).toBe(false);
  });

  it('reads anything else as INTERNAL, keeping the message (and an unknown code)', () => {
    expect(SpertError.fromJSON({ code: 'NO_SUCH_CODE', message: 'from a newer version' })).toMatchObject({ code: 'INTERNAL', message: 'from a newer version', details: { unknownCode: 'NO_SUCH_CODE' } });
    expect(SpertError.fromJSON('boom')).toMatchObject({ code: 'INTERNAL', message: 'boom' });
    const wrapped = toSpertError(new TypeError('x is not a function'));
    expect(wrapped).toMatchObject({ code: 'INTERNAL', message: 'x is not a function', details: { name: 'TypeError' } });
    const own = new SpertError('CLOSED', 'closed');
    expect(toSpertError(own)).toBe(own);
  });

  it('moves to another document number keeping its class and fields (atDocument)', () => {
    const e = new TooLong(5, 700);
    const moved = e.atDocument(1);
    expect(moved).toBeInstanceOf(TooLong);
    expect([moved.documentIndex, moved.wordCount, moved.message, moved.code]).toEqual([1, 700, 'document 1 is too long: 700 words', 'DOCUMENT_TOO_LONG']);
    expect(moved.details).toEqual({ documentIndex: 1, wordCount: 700, limit: 512 });
    expect(e.documentIndex).toBe(5);
    expect(isSpertError(moved)).toBe(true);
  });

  it('marks broken invariants as INTERNAL', () => {
    expect(() => invariant(1 + 1 === 3, 'arithmetic broke')).toThrow(expect.objectContaining({ code: 'INTERNAL', message: 'arithmetic broke' }));
    expect(() => invariant(true, 'fine')).not.toThrow();
    expect(internalError('x', { field: 'y' })).toMatchObject({ code: 'INTERNAL', details: { field: 'y' } });
  });

  it('the existing error classes are SpertErrors with codes, and keep their names', async () => {
    const missing = await readJsonFile('/nonexistent/config.json').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(JsonFileError);
    expect(missing).toMatchObject({ name: 'JsonFileError', code: 'FILE_NOT_FOUND', file: '/nonexistent/config.json', details: { file: '/nonexistent/config.json' } });
    const invalid = new DatasetValidationError([{ source: 'train.json', document: 3, field: 'tokens', message: 'is empty', severity: 'error' }]);
    expect(invalid).toMatchObject({ name: 'DatasetValidationError', code: 'INVALID_DATASET', documentIndex: 3, details: { file: 'train.json', field: 'tokens', problems: 1 } });
  });
});

describe('the codes table and docs/errors.md', () => {
  it('every code says what it means and what to do, with an HTTP status', () => {
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^[A-Z][A-Z_]+$/);
      expect(isErrorCode(code)).toBe(true);
      expect(info.title.length).toBeGreaterThan(3);
      expect(info.meaning.length).toBeGreaterThan(20);
      expect(info.action.length).toBeGreaterThan(10);
      expect(info.http >= 400 && info.http < 600).toBe(true);
    }
    expect(isErrorCode('toString')).toBe(false);
  });

  it('docs/errors.md is the page generated from the table (npm run docs:errors writes it)', () => {
    const file = path.join(__dirname, '..', '..', '..', 'docs', 'errors.md');
    const committed = readFileSync(file, 'utf8');
    if (committed !== errorCodesPage()) throw new Error('docs/errors.md is stale: run npm run docs:errors and commit it');
    for (const code of Object.keys(ERROR_CODES)) expect(committed).toContain(`## ${code}`);
  });
});
