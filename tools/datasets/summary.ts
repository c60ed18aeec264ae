// `tsx tools/datasets/summary.ts [dataset...]`: prints the counts of every dataset file found
// (../shared/datasets or data/datasets), to compare with each dataset's SOURCE.md.
import { readdir } from 'node:fs/promises';
import * as path from 'node:path';
import { DATASET_NAMES, datasetLayout, datasetStats, findDataset, formatDatasetStats, isDatasetName, readDataset, readTypes } from '@spert/core';

/** Prints the stats of the named datasets (all known ones by default). */
async function main(args: string[]): Promise<void> {
  const names = args.length > 0 ? args : [...DATASET_NAMES];
  for (const name of names) {
    if (!isDatasetName(name)) throw new Error(`unknown dataset "${name}" (known: ${DATASET_NAMES.join(', ')})`);
    const found = await findDataset({ name });
    if (!found.found) {
      console.log(`${name}: not found (looked in ${found.candidates.join(', ')}); run \`npm run download -- ${name}\``);
      continue;
    }
    const typesFile = datasetLayout(name).types;
    const types = await readTypes({ path: path.join(found.dir, typesFile) });
    console.log(`${name} (${found.dir}): ${types.entities.length} entity types, ${types.relations.length} relation types`);
    const files = (await readdir(found.dir)).filter((f) => f.endsWith('.json') && f !== typesFile).sort();
    for (const file of files) {
      const { documents, problems, skipped } = await readDataset({ path: path.join(found.dir, file), types, lenient: true });
      console.log(formatDatasetStats(datasetStats(documents), file));
      if (problems.length > 0) console.log(`  problems: ${problems.length} (${skipped.length} documents skipped)`);
    }
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
