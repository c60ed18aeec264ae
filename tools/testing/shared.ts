// Test helper: locates ../shared (datasets, fixtures, docs) beside the repository.
// A test that needs it fails loudly when it is missing, saying how to get it.
import { existsSync } from 'node:fs';
import * as path from 'node:path';

/** Absolute path of the repository root. */
export const repoRoot = path.resolve(__dirname, '../..');

/** Absolute path of the shared folder (SPERT_SHARED overrides ../shared). */
export const sharedRoot = process.env.SPERT_SHARED
  ? path.resolve(process.env.SPERT_SHARED)
  : path.resolve(repoRoot, '../shared');

/** Path of a file or folder under shared/, or a thrown error that says how to provide it. */
export function sharedPath(...parts: string[]): string {
  const p = path.join(sharedRoot, ...parts);
  if (!existsSync(p)) {
    throw new Error(
      `test data missing: ${p}\n` +
        `Tests read datasets and reference fixtures from ../shared beside the repository ` +
        `(or the folder named by SPERT_SHARED). Datasets: run \`npm run download -- conll04 --out <dir>\` ` +
        `and lay them out as <shared>/datasets/conll04/*.json; fixtures come with the project's shared folder.`,
    );
  }
  return p;
}

/** One document of spert-scratch-conll04/expected_outputs.json (what the reference model computes). */
export interface ExpectedSpertDocument {
  tokens: string[];
  input_ids: number[];
  candidate_spans: Array<[number, number]>;
  entity_probs: number[][];
  relation_candidates: Array<[number, number]>;
  relation_probs: number[][];
}
