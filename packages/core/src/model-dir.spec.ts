import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { assertModelDir } from './model-dir';

describe('assertModelDir', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'spert-modeldir-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('says there is no model directory and what one holds', async () => {
    await expect(assertModelDir(path.join(dir, 'nope'), { flag: '--model' })).rejects.toThrow(
      new RegExp(`^--model ${path.join(dir, 'nope')}: there is no model directory there .*config\\.json, the weights \\(model\\.safetensors or pytorch_model\\.bin\\) and the tokenizer files \\(vocab\\.txt`),
    );
    writeFileSync(path.join(dir, 'f'), 'x');
    await expect(assertModelDir(path.join(dir, 'f'))).rejects.toThrow(/is a file, not a model directory/);
    mkdirSync(path.join(dir, 'empty'));
    await expect(assertModelDir(path.join(dir, 'empty'))).rejects.toThrow(/not a model directory \(no config\.json in it\)/);
  });
  it('names a config.json that is not valid JSON', async () => {
    writeFileSync(path.join(dir, 'config.json'), '{"a": "x\ny"}');
    await expect(assertModelDir(dir)).rejects.toThrow(`${path.join(dir, 'config.json')} (model config) is not valid JSON: Bad control character`);
  });
  it('accepts a directory with a config.json', async () => {
    writeFileSync(path.join(dir, 'config.json'), '{}');
    await expect(assertModelDir(dir)).resolves.toBeUndefined();
  });
});
