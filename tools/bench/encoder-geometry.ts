// How spread out an encoder's output vectors are, for telling a collapsed or stuck pre-training
// apart from a useful one (docs/results.md, Pre-training): over the first N CoNLL04 test
// sentences, the mean variance of the last hidden state across a sentence's positions (0 = the
// same vector everywhere) and the mean cosine similarity between two positions of a sentence.
// Run: npx tsx tools/bench/encoder-geometry.ts DIR [DIR ...] [--sentences 50]
import { Command } from 'commander';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@spert/backend';
import { readDataset, readTypes } from '@spert/core';
import { encoderMaxLength } from '@spert/checkpoint';
import { loadMaskedLm } from '@spert/encoder';
import { loadTokenizer } from '@spert/tokenizer';
import { sharedPath } from '../testing/shared';

const program = new Command('encoder-geometry')
  .argument('<dirs...>', 'encoder directories (masked-LM checkpoints)')
  .option('--sentences <n>', 'CoNLL04 test sentences', (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--sentences: expected a positive integer, got "${v}"`);
    return n;
  }, 50)
  .parse(process.argv);
const dirs = program.args;
const count = program.opts<{ sentences: number }>().sentences;

async function main(): Promise<void> {
  await useBackend('wasm');
  const types = await readTypes({ path: sharedPath('datasets', 'conll04', 'conll04_types.json') });
  const docs = (await readDataset({ path: sharedPath('datasets', 'conll04', 'conll04_test.json'), types })).documents.slice(0, count);
  for (const dir of dirs) {
    const { encoder, head } = await loadMaskedLm({ id: dir, seed: 1 });
    const { tokenizer } = await loadTokenizer({ dir, encoderMaxLength: encoderMaxLength(encoder.config) });
    let variance = 0;
    let cosine = 0;
    for (const d of docs) {
      const ids = tokenizer.encodeWords(d.tokens).inputIds;
      const [v, c] = tf.tidy(() => {
        const h = tf.squeeze(encoder.apply({ inputIds: tf.tensor2d([Array.from(ids)], [1, ids.length], 'int32'), attentionMask: tf.ones([1, ids.length], 'int32') as tf.Tensor2D }, { training: false }), [0]) as tf.Tensor2D;
        const varAcross = tf.mean(tf.moments(h, 0).variance);
        const unit = tf.div(h, tf.norm(h, 2, 1, true));
        const sim = tf.matMul(unit, unit, false, true);
        const n = ids.length;
        const offDiagonal = tf.div(tf.sub(tf.sum(sim), tf.scalar(n)), tf.scalar(n * (n - 1)));
        return [varAcross.dataSync()[0], offDiagonal.dataSync()[0]];
      });
      variance += v / docs.length;
      cosine += c / docs.length;
    }
    process.stdout.write(`${dir}: variance across positions ${variance.toFixed(4)}, mean cosine between positions ${cosine.toFixed(4)} (${docs.length} CoNLL04 test sentences)\n`);
    head.dispose();
    encoder.dispose();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
