// Writes a small random SpERT model and exports it with @spert/onnx, so the serve and export tests run the
// real onnxruntime-node model end to end (the weights are random, the pipeline is not).
import * as path from 'node:path';
import { exportSpertOnnx, writeRandomSpertModel } from '@spert/onnx';

const types = {
  entities: { Peop: { short: 'Peop', verbose: 'People' }, Org: { short: 'Org', verbose: 'Organization' }, Loc: { short: 'Loc', verbose: 'Location' } },
  relations: {
    Work_For: { short: 'Work', verbose: 'Work for', symmetric: false },
    Kill: { short: 'Kill', verbose: 'Kill', symmetric: false },
  },
};

/** Words the random model's vocabulary knows (others become [UNK]). */
export const MODEL_WORDS = ['John', 'Smith', 'works', 'for', 'Acme', 'Corp', 'in', 'Berlin', '.', ',', 'Mary', 'met', 'Bob', 'Paris', 'the'];

/**
 * Exports a seeded random SpERT model into `<root>/onnx` and returns that directory; `noneShift`
 * moves the "no entity" bias (negative: more entities and relations).
 */
export async function exportRandomModel(root: string, { seed = 7, noneShift = -1.5 }: { seed?: number; noneShift?: number } = {}): Promise<string> {
  const modelDir = path.join(root, 'model');
  const outDir = path.join(root, 'onnx');
  await writeRandomSpertModel({ dir: modelDir, words: MODEL_WORDS, pieces: ['##s', '##ed'], types, vocabSize: 40, seed, noneShift });
  await exportSpertOnnx({ modelDir, outDir });
  return outDir;
}
