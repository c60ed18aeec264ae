// `npx tsx tools/reference/dump-samples.ts --train TRAIN.json --types TYPES.json --docs DOCS.json --out DIR [--max-vocab N]`
// Builds the scratch WordPiece vocabulary from TRAIN's words (as spert-train does), encodes every
// word of DOCS with it, and writes what our span sampler builds for each DOCS document with every
// negative kept (counts above any pool size), so that compare_samples.py can hold it against the
// reference's create_train_sample / create_eval_sample on the same input ids.
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { Command } from 'commander';
import { createRng, readDataset, readTypes } from '@spert/core';
import { createEvalSample, createTrainSample } from '@spert/span-sampler';
import { BertWordPieceTokenizer, buildVocab } from '@spert/tokenizer';

const ALL = 1_000_000_000;

/** Writes vocab.txt, the word table for the Python tokenizer stand-in and our samples. */
async function main(argv: string[]): Promise<void> {
  const o = new Command()
    .requiredOption('--train <file>')
    .requiredOption('--types <file>')
    .requiredOption('--docs <file>')
    .requiredOption('--out <dir>')
    .option('--max-vocab <n>', 'largest vocabulary', (v) => Number(v), 30000)
    .option('--limit <n>', 'first N documents of --docs', (v) => Number(v))
    .parse(argv)
    .opts<{ train: string; types: string; docs: string; out: string; maxVocab: number; limit?: number }>();
  const types = await readTypes({ path: o.types });
  const train = (await readDataset({ path: o.train, types })).documents;
  let docs = (await readDataset({ path: o.docs, types })).documents;
  if (o.limit) docs = docs.slice(0, o.limit);
  const vocab = buildVocab({ words: train.flatMap((d) => d.tokens), maxSize: o.maxVocab });
  const tokenizer = new BertWordPieceTokenizer({ vocab, lowercase: false, maxLength: 100000 });
  const words: Record<string, number[]> = {};
  for (const d of docs) for (const w of d.tokens) words[w] ??= [...tokenizer.encodeWord(w)];
  const samples = docs.map((document, i) => {
    const encoding = tokenizer.encodeWords(document.tokens);
    const enc = { inputIds: [...encoding.inputIds], wordRanges: encoding.wordRanges.map((r) => [r[0], r[1]] as [number, number]) };
    const train = createTrainSample({ document, encoding: enc, types, rng: createRng(i + 1), negEntityCount: ALL, negRelationCount: ALL, documentIndex: i });
    const evalSample = createEvalSample({ encoding: enc });
    return {
      inputIds: train.inputIds,
      spanRanges: train.spanRanges,
      spanWidths: train.spanWidths,
      spanLabels: train.spanLabels,
      pairs: train.pairs,
      pairContexts: train.pairContexts,
      pairLabels: train.pairLabels,
      evalSpanRanges: evalSample.spanRanges,
      evalSpanWidths: evalSample.spanWidths,
    };
  });
  await mkdir(o.out, { recursive: true });
  await writeFile(path.join(o.out, 'vocab.txt'), `${vocab.join('\n')}\n`);
  await writeFile(path.join(o.out, 'words.json'), JSON.stringify({ vocab, words }));
  await writeFile(path.join(o.out, 'samples.json'), JSON.stringify(samples));
  process.stderr.write(`${docs.length} documents, vocabulary ${vocab.length}: ${o.out}\n`);
}

main(process.argv).catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
