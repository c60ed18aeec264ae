import * as path from 'node:path';
import { BACKEND_NAMES, useBackend, type BackendName } from '@spert/backend';
import { redisConnection } from '@spert/batch';
import { assertModelDir, integerOption, numberOption, readTypes, silentCommanderOutput, SpertError } from '@spert/core';
import { listenUntilSignal, type SignalSource } from '@spert/http';
import { SPERT_TRAINING_DEFAULTS } from '@spert/trainer';
import { Command, Option } from 'commander';
import type { FastifyInstance } from 'fastify';
import { buildLabelStudioApp } from './app';
import { LabelStudioBackend, type TrainExecutor } from './backend';
import { DEFAULT_TRAIN_QUEUE, queueTrainExecutor } from './queue';
import { ServingModel } from './serving-model';
import { threadTrainExecutor } from './thread-executor';

/** Parsed command line of spert-label-studio. */
export interface LabelStudioCliOptions {
  /** A SpERT model directory (or `encoder`). */
  model?: string;
  /** A BERT-family encoder (directory or Hub id) to train the first model from, with the labeling config's types. */
  encoder?: string;
  /** Types file (required for a model directory saved by the reference code, which stores none). */
  types?: string;
  port: number;
  host: string;
  workDir: string;
  name: string;
  basicAuth?: string;
  labelStudioUrl?: string;
  labelStudioToken?: string;
  debounceMs: number;
  heldOut: number;
  minTasks: number;
  epochs: number;
  batchSize: number;
  lr: number;
  seed: number;
  backend: BackendName;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Redis URL: training runs as BullMQ jobs that spert-label-studio-worker processes take. */
  queue?: string;
  queueName: string;
}

/**
 * Parses spert-label-studio's arguments (`argv` as process.argv). The basic auth, Label Studio
 * URL and token fall back to the environment variables the Python SDK reads (BASIC_AUTH_USER and
 * BASIC_AUTH_PASS, LABEL_STUDIO_URL, LABEL_STUDIO_API_KEY), which keep secrets out of `ps`.
 */
export function parseLabelStudioArgs(argv: string[], env: Record<string, string | undefined> = process.env): LabelStudioCliOptions {
  const program = new Command('spert-label-studio');
  program
    .description('A Label Studio ML backend for joint entity and relation extraction: pre-annotations, training on new annotations, uncertain tasks first (GET /health, POST /setup, /predict, /webhook)')
    .option('--model <dir>', 'SpERT model directory (spert-train writes one) to predict with and to continue training from')
    .option('--encoder <dir|id>', 'instead of --model: a BERT-family encoder to train the first model from (types: the labeling config\'s); no predictions before it')
    .option('--types <file>', 'types file of the model (needed for a directory saved by the reference SpERT code)')
    .option('--port <n>', 'TCP port (Label Studio\'s default for ML backends is 9090; 0 picks a free one)', integerOption('--port', 0, 65535), 9090)
    .option('--host <addr>', 'interface to listen on (0.0.0.0 when Label Studio runs on another machine or in a container)', '127.0.0.1')
    .option('--work-dir <dir>', 'where trained models go (<dir>/models/<n>-<time>)', 'runs/label-studio')
    .option('--name <name>', 'model version prefix: versions are <name>-<hash of the weights>', 'spert')
    .option('--basic-auth <user:password>', 'require HTTP basic auth (default: BASIC_AUTH_USER and BASIC_AUTH_PASS; unset: none)')
    .option('--label-studio-url <url>', 'Label Studio\'s URL, when /setup does not send it (default: LABEL_STUDIO_URL)')
    .option('--label-studio-token <token>', 'Label Studio API token (legacy token), when /setup does not send it (default: LABEL_STUDIO_API_KEY)')
    .option('--debounce-ms <n>', 'annotation events within this window make one training run', integerOption('--debounce-ms', 0, 86_400_000), 5000)
    .option('--held-out <share>', 'share of the annotated tasks held out to compare the new model with the current one', numberOption('--held-out', 0, 0.9), 0.2)
    .option('--min-tasks <n>', 'fewest annotated tasks a training run needs', integerOption('--min-tasks', 1, 1_000_000), 2)
    .option('--epochs <n>', 'epochs of each training run', integerOption('--epochs', 1, 10_000), SPERT_TRAINING_DEFAULTS.epochs)
    .option('--batch-size <n>', 'training batch size', integerOption('--batch-size', 1, 4096), SPERT_TRAINING_DEFAULTS.batchSize)
    .option('--lr <x>', 'peak learning rate', numberOption('--lr', 0, 1), SPERT_TRAINING_DEFAULTS.lr)
    .option('--seed <n>', 'seed of each training run', integerOption('--seed', 0, 2 ** 31 - 1), SPERT_TRAINING_DEFAULTS.seed)
    .addOption(new Option('--backend <name>', 'TF.js backend of training and prediction').choices([...BACKEND_NAMES]).default('auto'))
    .option('--queue <url>', 'run training as BullMQ jobs on this Redis (redis://host:port); spert-label-studio-worker processes train (default: a worker thread)')
    .option('--queue-name <name>', 'BullMQ queue name', DEFAULT_TRAIN_QUEUE)
    .addOption(new Option('--log-level <level>', 'log level').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'))
    .exitOverride()
    .configureOutput(silentCommanderOutput);
  program.parse(argv);
  // The flags' names are the fields' (commander camel-cases them); the credentials fall back to the environment.
  const { basicAuth: basicAuthFlag, labelStudioUrl: urlFlag, labelStudioToken: tokenFlag, ...flags } = program.opts<LabelStudioCliOptions>();
  if ((flags.model === undefined) === (flags.encoder === undefined)) throw new SpertError('INVALID_OPTION', 'give --model <dir> (a SpERT model) or --encoder <dir|id> (an encoder to train the first model from)');
  const basicAuth = basicAuthFlag ?? (env.BASIC_AUTH_USER && env.BASIC_AUTH_PASS ? `${env.BASIC_AUTH_USER}:${env.BASIC_AUTH_PASS}` : undefined);
  if (basicAuth !== undefined && !/^[^:]+:.+$/.test(basicAuth)) throw new SpertError('INVALID_OPTION', '--basic-auth: expected user:password');
  const labelStudioUrl = urlFlag ?? env.LABEL_STUDIO_URL;
  const labelStudioToken = tokenFlag ?? env.LABEL_STUDIO_API_KEY;
  return {
    ...flags,
    ...(basicAuth !== undefined ? { basicAuth } : {}),
    ...(labelStudioUrl ? { labelStudioUrl } : {}),
    ...(labelStudioToken ? { labelStudioToken } : {}),
  };
}

/** Options of {@link runLabelStudio}. */
export interface RunLabelStudioOptions {
  argv: string[];
  /** The worker-thread module that trains (main.ts passes the one beside it). */
  workerFile: string;
  /** Runs training jobs elsewhere (tests); default a worker thread on `workerFile`. */
  executor?: TrainExecutor;
  env?: Record<string, string | undefined>;
  signals?: SignalSource;
  /** Called with the exit code once the server has shut down. */
  exit?: (code: number) => void;
  /** Log lines of the backend (training runs; default stderr). */
  log?: (line: string) => void;
}

/** Starts spert-label-studio from a command line; resolves with the listening URL, the app and the backend. */
export async function runLabelStudio(options: RunLabelStudioOptions): Promise<{ url: string; app: FastifyInstance; backend: LabelStudioBackend }> {
  const cli = parseLabelStudioArgs(options.argv, options.env);
  if (cli.model !== undefined) await assertModelDir(cli.model, { flag: '--model' });
  if (cli.queue !== undefined) redisConnection(cli.queue); // refuse a bad URL before loading anything
  await useBackend(cli.backend);
  const log = options.log ?? ((line: string) => process.stderr.write(`spert-label-studio: ${line}\n`));
  const model = cli.model !== undefined ? await ServingModel.open({ dir: cli.model, name: cli.name, types: cli.types ? await readTypes({ path: cli.types }) : undefined }) : undefined;
  const executor = options.executor ?? (cli.queue !== undefined ? await queueTrainExecutor({ url: cli.queue, name: cli.queueName, log }) : threadTrainExecutor(options.workerFile));
  const backend = new LabelStudioBackend({
    ...(model ? { model } : { encoder: cli.encoder as string }),
    name: cli.name,
    workDir: path.resolve(cli.workDir),
    executor,
    debounceMs: cli.debounceMs,
    heldOutShare: cli.heldOut,
    minTasks: cli.minTasks,
    hyperparameters: { epochs: cli.epochs, batchSize: cli.batchSize, lr: cli.lr, seed: cli.seed },
    backend: cli.backend,
    labelStudio: { url: cli.labelStudioUrl, token: cli.labelStudioToken },
    log,
  });
  const app = await buildLabelStudioApp({ backend, basicAuth: cli.basicAuth, logLevel: cli.logLevel });
  const url = await listenUntilSignal({
    app,
    host: cli.host,
    port: cli.port,
    signals: options.signals,
    exit: options.exit,
    onCloseError: (err) => log(`shutdown failed: ${err instanceof Error ? err.message : String(err)}`),
  });
  log(`${backend.modelVersion} (${model ? model.dir : `untrained: the first run trains from ${cli.encoder}`}) listening on ${url}; training on ${executor.description}`);
  return { url, app, backend };
}
