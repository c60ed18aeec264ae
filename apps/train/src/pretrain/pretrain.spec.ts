import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { readSafetensors } from '@spert/checkpoint';
import { repoRoot, sharedPath } from '../../../../tools/testing/shared';
import { parseTrainArgs } from '../cli';
import { runTraining } from '../run-training';
import { parsePretrainArgs, parsePretrainCommand } from './cli';
import { exportPretrainingCheckpoint, runPretraining } from './run-pretraining';

const conll = (f: string) => sharedPath('datasets', 'conll04', f);
const tinySizes = ['--hidden-size', '16', '--layers', '1', '--heads', '2', '--intermediate-size', '32', '--max-vocab', '600', '--max-positions', '256'];
const quiet = ['--backend', 'wasm', '--no-progress'];

/** A few hundred lines of raw text: CoNLL04 training sentences, plus lines a corpus reader must skip. */
async function writeCorpus(dir: string): Promise<string[]> {
  const docs = (JSON.parse(readFileSync(conll('conll04_train.json'), 'utf8')) as Array<{ tokens: string[] }>).slice(0, 300);
  const text = docs.slice(0, 200).map((d) => d.tokens.join(' '));
  await writeFile(path.join(dir, 'news.txt'), `${text.join('\n')}\n`);
  const jsonl = docs.slice(200).map((d) => JSON.stringify({ text: d.tokens.join(' ') }));
  jsonl.splice(10, 0, '{"text": broken', '{"title": "no text field"}');
  await writeFile(path.join(dir, 'more.jsonl.gz'), gzipSync(`${jsonl.join('\n')}\n`));
  return [path.join(dir, 'news.txt'), path.join(dir, 'more.jsonl.gz')];
}

describe('spert-pretrain', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'spert-pretrain-app-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('pre-trains from scratch on raw text, reports bad lines, resumes exactly, and spert-train --encoder fine-tunes the result', async () => {
    const corpus = await writeCorpus(dir);
    const args = ['--corpus', ...corpus, ...tinySizes, '--max-length', '48', '--batch-size', '4', '--max-steps', '6', '--checkpoint-every', '2', '--validation-fraction', '0.05', ...quiet];
    const lines: string[] = [];
    const full = await runPretraining(parsePretrainArgs([...args, '--out', path.join(dir, 'full')]), (l) => lines.push(l));
    expect(full.steps).toBe(6);
    expect(full.validation?.loss).toBeGreaterThan(0);
    expect(full.validation?.accuracy).toBeGreaterThanOrEqual(0);
    // validated at each checkpoint (steps 2 and 4) and at the epoch's end: a curve, not a point
    const evalRows = (await readFile(path.join(dir, 'full', 'log', 'eval.csv'), 'utf8')).trim().split('\n');
    expect(evalRows.slice(1).map((r) => r.split(',').slice(0, 2).join(','))).toEqual(['0,2', '0,4', '0,6']);
    const log = lines.join('\n');
    expect(log).toMatch(/more\.jsonl\.gz: 2 bad line\(s\) of \d+:/);
    expect(log).toMatch(/more\.jsonl\.gz:11: invalid JSON/);
    expect(log).toMatch(/more\.jsonl\.gz:12: .*text/);

    // a Hugging Face BertForMaskedLM directory: tokenizer beside it, decoder tied (left out), no pooler
    const encoderDir = path.join(dir, 'full', 'encoder');
    expect((await readdir(encoderDir)).sort()).toEqual(['config.json', 'model.safetensors', 'tokenizer_config.json', 'vocab.txt']);
    const config = JSON.parse(await readFile(path.join(encoderDir, 'config.json'), 'utf8'));
    expect(config.architectures).toEqual(['BertForMaskedLM']);
    expect(config.spert_pretraining.steps).toBe(6);
    const names = [...readSafetensors(await readFile(path.join(encoderDir, 'model.safetensors'))).tensors.keys()];
    expect(names).toContain('cls.predictions.transform.dense.weight');
    expect(names.some((n) => n.includes('decoder') || n.includes('pooler'))).toBe(false);

    // exporting the last checkpoint gives the run's own encoder, metadata and validation included;
    // an earlier one is a different point of the same run
    const exported = await exportPretrainingCheckpoint({ out: path.join(dir, 'full'), log: () => undefined });
    expect(exported.step).toBe(6);
    expect(exported.encoderDir).toBe(path.join(dir, 'full', 'encoder-step-6'));
    expect(exported.validation).toEqual(full.validation);
    expect(exported.trainTokens).toBe(full.trainTokens);
    expect(await readFile(path.join(exported.encoderDir, 'model.safetensors'))).toEqual(await readFile(path.join(encoderDir, 'model.safetensors')));
    expect(JSON.parse(await readFile(path.join(exported.encoderDir, 'config.json'), 'utf8'))).toEqual(config);
    const earlier = await exportPretrainingCheckpoint({ out: path.join(dir, 'full'), step: 4, log: () => undefined });
    const earlierConfig = JSON.parse(await readFile(path.join(earlier.encoderDir, 'config.json'), 'utf8'));
    expect(earlierConfig.spert_pretraining.steps).toBe(4);
    expect(earlierConfig.spert_pretraining.validation_loss).not.toBe(config.spert_pretraining.validation_loss);
    expect(await readFile(path.join(earlier.encoderDir, 'model.safetensors'))).not.toEqual(await readFile(path.join(encoderDir, 'model.safetensors')));
    await expect(exportPretrainingCheckpoint({ out: path.join(dir, 'full'), step: 2, log: () => undefined })).rejects.toThrow(/--export-checkpoint 2: .*has steps 4, 6/);
    await expect(exportPretrainingCheckpoint({ out: dir, log: () => undefined })).rejects.toThrow(/is not a spert-pretrain run directory: it has no pretrain_config\.json/);

    // stopped after step 4 (its checkpoint), resumed: the same weights as the uninterrupted run
    const part = await runPretraining(parsePretrainArgs([...args, '--max-steps', '6', '--out', path.join(dir, 'part')]), () => undefined);
    expect(part.steps).toBe(6);
    await rm(path.join(dir, 'part', 'checkpoints', 'checkpoint-00000006'), { recursive: true });
    await rm(path.join(dir, 'part', 'encoder'), { recursive: true });
    const resumedLines: string[] = [];
    await runPretraining(parsePretrainArgs([...args, '--out', path.join(dir, 'part'), '--resume']), (l) => resumedLines.push(l));
    expect(resumedLines.join('\n')).toMatch(/resuming from step 4 of 6/);
    expect(resumedLines.join('\n')).toMatch(/training text: reused/);
    expect(await readFile(path.join(dir, 'part', 'encoder', 'model.safetensors'))).toEqual(await readFile(path.join(encoderDir, 'model.safetensors')));

    // fine-tuning takes the directory unchanged
    // the two shortest dev documents, and 8 steps at a rate that learns "no entity": an untrained
    // model keeps every span and scores every pair, which makes even a tiny evaluation slow
    const dev = (JSON.parse(readFileSync(conll('conll04_dev.json'), 'utf8')) as Array<{ tokens: string[] }>).sort((a, b) => a.tokens.length - b.tokens.length).slice(0, 2);
    await writeFile(path.join(dir, 'valid.json'), JSON.stringify(dev));
    const run = await runTraining(
      parseTrainArgs([
        '--encoder', encoderDir, '--train', conll('conll04_train.json'), '--valid', path.join(dir, 'valid.json'), '--types', conll('conll04_types.json'),
        '--limit-train', '16', '--epochs', '1', '--batch-size', '2', '--lr', '5e-3', '--lr-warmup', '0', '--neg-entity-count', '10', '--neg-relation-count', '10',
        '--out', path.join(dir, 'ft'), ...quiet,
      ]),
      () => undefined,
    );
    expect(run.tables).toMatch(/Mention|NER|Entity/i);
    const ftConfig = JSON.parse(await readFile(path.join(run.modelDir, 'config.json'), 'utf8'));
    expect(ftConfig.vocab_size).toBe(config.vocab_size);
  }, 240_000);

  it('continues pre-training a Hugging Face BertForMaskedLM checkpoint (tiny-bert-mlm), reusing its head', async () => {
    const corpus = await writeCorpus(dir);
    const lines: string[] = [];
    const run = await runPretraining(
      parsePretrainArgs(['--corpus', corpus[0], '--encoder', sharedPath('fixtures', 'tiny-bert-mlm'), '--max-length', '32', '--batch-size', '4', '--max-steps', '2', '--validation-fraction', '0', '--out', path.join(dir, 'adapt'), ...quiet]),
      (l) => lines.push(l),
    );
    expect(run.steps).toBe(2);
    expect(run.validation).toBeUndefined();
    expect(lines.join('\n')).toMatch(/masked-LM head from the checkpoint/);
  }, 120_000);

  it('parses --export-checkpoint apart from the training flags', () => {
    expect(parsePretrainCommand(['--export-checkpoint', '700', '--out', 'runs/pt'])).toEqual({ export: { out: 'runs/pt', step: 700, backend: undefined } });
    expect(parsePretrainCommand(['--backend', 'wasm', '--export-checkpoint', 'latest'])).toEqual({ export: { out: 'runs/pretrain', step: undefined, backend: 'wasm' } });
    expect(() => parsePretrainCommand(['--export-checkpoint', 'last'])).toThrow(/expects a step number or "latest", got "last"/);
    expect(() => parsePretrainCommand(['--export-checkpoint', 'latest', '--backend', 'gpu'])).toThrow(/--backend gpu: expected one of auto, /);
    expect('train' in parsePretrainCommand(['--corpus', 'a.txt'])).toBe(true);
    // --eval-every: unset = at every checkpoint (run-pretraining's default), 0 = epoch ends only
    expect(parsePretrainArgs(['--corpus', 'a.txt']).evalEvery).toBeUndefined();
    expect(parsePretrainArgs(['--corpus', 'a.txt', '--eval-every', '0']).evalEvery).toBe(0);
    expect(() => parsePretrainArgs(['--corpus', 'a.txt', '--eval-every', '-1'])).toThrow(/evalEvery/);
  });

  it('says what is wrong with bad flags, in one line each, through npx', () => {
    const npx = (...a: string[]) => spawnSync('npx', ['spert-pretrain', ...a], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
    const help = npx('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: spert-pretrain --corpus <files\.\.\.> \[options\]/);
    expect(help.stdout).toContain('--accumulate');
    const none = npx('--epochs', '1');
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(/^spert-pretrain: invalid pre-training configuration:\n {2}- corpus: /);
    const both = npx('--corpus', 'x.txt', '--encoder', 'some/dir', '--family', 'roberta');
    expect(both.stderr).toMatch(/family "roberta" is for encoders built from scratch/);
    expect(help.stdout).toContain('--export-checkpoint');
    const exportMixed = npx('--export-checkpoint', 'latest', '--out', 'runs/x', '--lr', '1e-4');
    expect(exportMixed.status).toBe(1);
    expect(exportMixed.stderr).toMatch(/--export-checkpoint takes only --out <run dir> and --backend <name> beside it .*unknown option '--lr'/);
    const exportNoRun = npx('--export-checkpoint', 'latest', '--out', path.join(dir, 'nothing-here'));
    expect(exportNoRun.stderr).toMatch(/is not a spert-pretrain run directory/);
  }, 120_000);
});
