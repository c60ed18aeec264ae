// Fuzzing of an exported model directory's config.json as SpertOnnxRuntime.load reads it (the
// "spert" settings, types, encoder fields), with tiny-bert's vocab.txt beside it. The graphs are
// left out: a config that reads ends at "encoder.onnx: cannot read", which is the result here.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { corpusRoot, runFuzzTarget } from '../../../tools/testing/fuzz';
import { SpertOnnxRuntime } from './runtime';

describe('fuzzing the exported model config (fast-check, mutated spert-export config.json)', () => {
  const vocab = new Uint8Array(readFileSync(path.join(corpusRoot, 'vocab', 'tiny-bert.txt')));
  it('config.json of an ONNX model directory', async () => {
    await runFuzzTarget({
      name: 'onnx-config', source: 'config.json', runs: 600,
      read: async (b) => {
        const files: Record<string, Uint8Array> = { '/m/config.json': b, '/m/vocab.txt': vocab };
        const readFile = async (p: string) => {
          const f = files[p];
          if (!f) throw Object.assign(new Error(`ENOENT: no such file, open '${p}'`), { code: 'ENOENT' });
          return f;
        };
        const e = await SpertOnnxRuntime.load('/m', { readFile }).then(() => undefined, (err: Error) => err);
        if (e && /\/m\/encoder\.onnx: cannot read/.test(e.message)) return 'config read';
        if (e) throw e;
        throw new Error('loaded without graphs');
      },
    });
  });

  it('a config.json that is JSON but not an object, or nested too deep, is a clear error (null was a TypeError)', async () => {
    for (const [text, why] of [['null', /expected a JSON object/], ['[1]', /expected a JSON object/], [`{"spert":${'['.repeat(5000)}${']'.repeat(5000)}}`, /nested deeper than 100 levels/]] as const) {
      const readFile = async (p: string) => (p === '/m/config.json' ? new TextEncoder().encode(text) : Promise.reject(new Error(`ENOENT ${p}`)));
      await expect(SpertOnnxRuntime.load('/m', { readFile })).rejects.toThrow(why);
    }
  });
});
