// CLI: writes a random BERT checkpoint directory (config.json, model.safetensors, vocab.txt).
//   npx tsx tools/checkpoints/random-checkpoint.ts --out /tmp/bert-small --hidden 256 --layers 4
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { writeRandomCheckpoint } from '../../packages/checkpoint/src/index';

const int = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`expected a positive integer, got "${v}"`);
  return n;
};

const program = new Command()
  .name('random-checkpoint')
  .description('Write a randomly initialised BERT checkpoint in Hugging Face layout')
  .requiredOption('--out <dir>', 'output directory')
  .option('--vocab-size <n>', 'vocabulary size (synthetic vocab.txt)', int, 30522)
  .option('--vocab <file>', 'use this vocab.txt instead (sets the vocabulary size)')
  .option('--hidden <n>', 'hidden size', int, 768)
  .option('--layers <n>', 'number of layers', int, 12)
  .option('--heads <n>', 'attention heads', int, 12)
  .option('--intermediate <n>', 'intermediate size (default 4 x hidden)', int)
  .option('--max-positions <n>', 'max position embeddings', int, 512)
  .option('--seed <n>', 'random seed', (v) => Number(v), 0)
  .option('--prefix', 'prefix tensor names with "bert."', false);

async function main(): Promise<void> {
  const o = program.parse(process.argv).opts() as { out: string; vocabSize: number; vocab?: string; hidden: number; layers: number; heads: number; intermediate?: number; maxPositions: number; seed: number; prefix: boolean };
  const vocab = o.vocab ? readFileSync(o.vocab, 'utf8').split('\n').filter((l, i, all) => l !== '' || i < all.length - 1) : undefined;
  const config = await writeRandomCheckpoint({
    dir: o.out,
    seed: o.seed,
    prefix: o.prefix,
    vocab,
    config: { vocab_size: o.vocabSize, hidden_size: o.hidden, num_hidden_layers: o.layers, num_attention_heads: o.heads, intermediate_size: o.intermediate ?? 4 * o.hidden, max_position_embeddings: o.maxPositions },
  });
  console.log(`wrote ${o.out}: vocab ${config.vocab_size}, hidden ${config.hidden_size}, ${config.num_hidden_layers} layers, ${config.num_attention_heads} heads`);
}

main().catch((e: Error) => {
  console.error(`random-checkpoint: ${e.message}`);
  if (process.env.DEBUG) console.error(e.stack);
  process.exit(1);
});
