import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { writeRandomCheckpoint } from '@spert/checkpoint';
import { fixture, startFakeLabelStudio, type FakeLabelStudio } from '../test/helpers';
import { runLabelStudio } from './cli';

// spert-label-studio --encoder: no model at first (empty predictions, version "<name>-untrained"),
// the types come from the labeling config, the first run trains heads on the encoder, and the
// backend then predicts with it.
describe('spert-label-studio --encoder', () => {
  let root: string;
  let ls: FakeLabelStudio;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'spert-ls-encoder-'));
    await writeRandomCheckpoint({ dir: path.join(root, 'encoder'), config: { hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32, vocab_size: 400 }, seed: 5 });
    ls = await startFakeLabelStudio({ projectId: 3, token: 'tok', tasks: fixture<unknown[]>('export.json') });
  }, 60_000);
  afterAll(async () => {
    await ls?.close();
    await rm(root, { recursive: true, force: true });
  });

  it('trains the first model from the encoder with the config\'s types, then predicts with it', async () => {
    const started = await runLabelStudio({
      argv: ['node', 'spert-label-studio', '--encoder', path.join(root, 'encoder'), '--name', 'mine', '--port', '0', '--work-dir', path.join(root, 'work'),
        '--debounce-ms', '0', '--held-out', '0.34', '--epochs', '2', '--lr', '0.01', '--log-level', 'silent'],
      workerFile: path.join(__dirname, 'train-worker.ts'),
      env: {},
      signals: { once: () => undefined, removeListener: () => undefined },
      exit: () => undefined,
      log: () => undefined,
    });
    const post = async (route: string, body: unknown) => (await fetch(`${started.url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json() as Promise<Record<string, unknown>>;
    try {
      expect(await post('/setup', { ...fixture('setup.json'), hostname: ls.url, access_token: 'tok' })).toEqual({ model_version: 'mine-untrained' });
      expect(started.backend.types?.relations.map((r) => r.key)).toEqual(['org:founded_by', 'org:founded']);
      const before = (await post('/predict', fixture('predict.json'))).results as Array<{ result: unknown[]; score: number; model_version: string }>;
      expect(before).toEqual(Array.from({ length: 4 }, () => ({ result: [], score: 0, model_version: 'mine-untrained' })));
      await post('/webhook', fixture('webhook-start-training.json'));
      await started.backend.scheduler.idle();
      expect(started.backend.lastTraining?.error).toBeUndefined();
      // 3 annotated tasks, 1 held out: 2 epochs of one batch of 2; nothing to compare with yet, so the first model is taken.
      expect(started.backend.lastTraining?.result).toMatchObject({ accepted: true, steps: 2 });
      expect(started.backend.lastTraining?.result?.summary).toMatch(/new model accepted: no current model to compare with/);
      expect(started.backend.modelVersion).toMatch(/^mine-[0-9a-f]{12}$/);
      const after = (await post('/predict', fixture('predict.json'))).results as Array<{ model_version: string }>;
      expect(after.every((r) => r.model_version === started.backend.modelVersion)).toBe(true);
    } finally {
      await started.app.close();
    }
  }, 90_000);
});
