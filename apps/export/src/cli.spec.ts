import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Document } from '@spert/core';
import { SpertOnnxRuntime } from '@spert/onnx';
import { sharedPath } from '../../../tools/testing/shared';
import { parseExportArgs, runExport } from './cli';

const fixture = () => sharedPath('fixtures', 'spert-scratch-conll04');
const typesFile = () => sharedPath('datasets', 'conll04', 'conll04_types.json');
const argv = (...args: string[]) => ['node', 'spert-export', ...args];

describe('spert-export', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'spert-export-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('exports the reference-trained model; the export predicts as the reference did', async () => {
    const lines: string[] = [];
    const out = path.join(dir, 'onnx');
    await runExport(argv('--model', fixture(), '--types', typesFile(), '--out', out), (s) => lines.push(s));
    expect(lines.join('\n')).toMatch(/4 entity types, 5 relation types/);
    expect((await readdir(out)).sort()).toEqual(expect.arrayContaining(['config.json', 'encoder.onnx', 'entity_head.onnx', 'relation_head.onnx', 'vocab.txt']));
    const reference = (JSON.parse(await readFile(path.join(fixture(), 'predictions_test.json'), 'utf8')) as Document[]).slice(0, 20);
    const runtime = await SpertOnnxRuntime.load(out, { threads: 1 });
    try {
      const predicted = await runtime.predictTokens(reference.map((d) => d.tokens));
      const strip = (d: Document) => ({ e: d.entities.map(({ type, start, end }) => [type, start, end]), r: d.relations.map(({ type, head, tail }) => [type, head, tail]) });
      expect(predicted.map(strip)).toEqual(reference.map(strip));
    } finally {
      await runtime.dispose();
    }
  });

  it('parses --int8 and --allow-non-finite and refuses bad paths with the flag named', async () => {
    expect(parseExportArgs(argv('--model', 'm', '--out', 'o', '--int8'))).toEqual({ model: 'm', out: 'o', types: undefined, int8: true, allowNonFinite: false });
    expect(parseExportArgs(argv('--model', 'm', '--out', 'o', '--allow-non-finite'))).toMatchObject({ int8: false, allowNonFinite: true });
    expect(() => parseExportArgs(argv('--model', 'm'))).toThrow(/--out/);
    await expect(runExport(argv('--model', path.join(dir, 'missing'), '--out', path.join(dir, 'x')), () => undefined)).rejects.toThrow(/^--model .*missing: there is no model directory there .*a model directory holds config\.json, the weights/);
    await expect(runExport(argv('--model', fixture(), '--out', fixture()), () => undefined)).rejects.toThrow(/--out must differ from --model/);
    await expect(runExport(argv('--model', fixture(), '--out', path.join(dir, 'y')), () => undefined)).rejects.toThrow(/types/);
  });

  it('throws commander errors without printing them (the entry point prints the one line)', () => {
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(() => parseExportArgs(argv('--model', 'm', '--out', 'o', '--bogus-flag'))).toThrow(expect.objectContaining({ code: 'commander.unknownOption' }));
      expect(write).not.toHaveBeenCalled();
    } finally {
      write.mockRestore();
    }
  });
});
