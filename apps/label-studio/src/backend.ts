import { createHash } from 'node:crypto';
import * as path from 'node:path';
import {
  assertConfigMatchesTypes,
  formatAnnotationProblem,
  labelStudioTrainingDocuments,
  parseLabelStudioConfig,
  parsePredictRequest,
  parseSetupRequest,
  parseWebhook,
  toLabelStudioPrediction,
  type LabelStudioPrediction,
  type LabelStudioTextConfig,
} from '@spert/annotations';
import type { BackendName } from '@spert/backend';
import type { Document, TypesSchema } from '@spert/core';
import type { SpertHyperparameters } from '@spert/trainer';
import { TrainingScheduler, type ScheduleOutcome, type SchedulerTimers } from './scheduler';
import { ServingModel } from './serving-model';
import type { TrainJob, TrainJobResult } from './train-job';
import { SpertError } from '@spert/core';

/** Runs training jobs off the request path: a worker thread, or BullMQ workers with --queue. */
export interface TrainExecutor {
  run(job: TrainJob): Promise<TrainJobResult>;
  close(): Promise<void>;
  /** "a worker thread", "BullMQ queue spert-label-studio on redis://..." (for logs). */
  readonly description: string;
}

/** Options of {@link LabelStudioBackend}. */
export interface LabelStudioBackendOptions {
  /** The model to predict with and train from; without it, `encoder` is required. */
  model?: ServingModel;
  /**
   * An encoder (a BERT-family checkpoint directory or Hub id) to train the first model from,
   * with the types of the first labeling config; until then predictions are empty and carry
   * the version `<name>-untrained`.
   */
  encoder?: string;
  /** Model version prefix (default `spert`). */
  name?: string;
  /** Where new models are written (`<workDir>/models/<n>-<time>`). */
  workDir: string;
  executor: TrainExecutor;
  /** Annotation events within this many ms make one training run (default 5000). */
  debounceMs?: number;
  /** Share of the annotated tasks held out to compare the new model with the current one (default 0.2). */
  heldOutShare?: number;
  /** Fewest annotated tasks a run needs (default 2). */
  minTasks?: number;
  hyperparameters?: Partial<SpertHyperparameters>;
  /** TF.js backend of the training worker (default auto). */
  backend?: BackendName;
  /** Label Studio's URL and API token when /setup did not send them (LABEL_STUDIO_URL, LABEL_STUDIO_API_KEY). */
  labelStudio?: { url?: string; token?: string };
  fetch?: typeof fetch;
  log?: (line: string) => void;
  timers?: SchedulerTimers;
}

/** What the backend knows of a Label Studio project (from /setup and webhooks). */
interface Project {
  hostname?: string;
  accessToken?: string;
  schema?: string;
}

/** The last training run, as /health and /metrics report it. */
export interface TrainingReport {
  at: string;
  projectId: string;
  tasks: number;
  result?: TrainJobResult;
  error?: string;
  /** The model version after the run. */
  modelVersion: string;
}

/** The types a labeling config defines: its labels as entity types, its relations (directed), in config order. */
function typesOfConfig(cfg: LabelStudioTextConfig): TypesSchema {
  return {
    entities: cfg.entityLabels.map((key, i) => ({ key, index: i + 1, short: key, verbose: key })),
    relations: cfg.relationLabels.map((key, i) => ({ key, index: i + 1, short: key, verbose: key, symmetric: false })),
  };
}

const describeError = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * The Label Studio ML backend without HTTP: /setup, /predict and /webhook as methods, the
 * serving model, and training runs scheduled (debounced) on an executor. A run fetches the
 * project's annotated tasks from Label Studio's export API, converts them with @spert/annotations,
 * trains from the serving model and swaps the new model in when it is not worse on the held-out tasks.
 */
export class LabelStudioBackend {
  readonly scheduler: TrainingScheduler;
  /** The last training run (or its failure). */
  lastTraining?: TrainingReport;
  readonly counts = { predictions: 0, tasks: 0, swaps: 0 };
  private readonly projects = new Map<string, Project>();
  private readonly configs = new Map<string, LabelStudioTextConfig>();
  private trainProject?: string;
  private runNumber = 0;
  private readonly log: (line: string) => void;
  private serving?: ServingModel;
  /** With an encoder and no model yet: the types of the first labeling config. */
  private configTypes?: TypesSchema;

  /** Creates the backend around a loaded model, or an encoder to train the first model from. */
  constructor(private readonly o: LabelStudioBackendOptions) {
    if (!o.model && !o.encoder) throw new SpertError('INVALID_OPTION', 'LabelStudioBackend: give a model, or an encoder to train the first model from');
    this.serving = o.model;
    this.log = o.log ?? (() => undefined);
    this.scheduler = new TrainingScheduler({
      debounceMs: o.debounceMs ?? 5000,
      run: () => this.train(),
      onError: (err) => this.log(`training failed: ${describeError(err)}`),
      timers: o.timers,
    });
  }

  /** The model answering predictions (swapped after training); none yet when started from an encoder. */
  get model(): ServingModel | undefined {
    return this.serving;
  }

  /** The version of the model answering predictions (`<name>-untrained` before the first model of an encoder). */
  get modelVersion(): string {
    return this.serving?.version ?? `${this.o.name ?? 'spert'}-untrained`;
  }

  /** The model's types; from an encoder, those of the first labeling config (undefined before it). */
  get types(): TypesSchema | undefined {
    return this.serving?.types ?? this.configTypes;
  }

  /** The parsed config, checked against the model's types once per distinct config. */
  config(xml: string | undefined, projectId?: string): LabelStudioTextConfig {
    const source = xml ?? (projectId !== undefined ? this.projects.get(projectId)?.schema : undefined);
    if (source === undefined) throw parseLabelStudioConfig('', 'label_config (not sent, and no /setup for this project)');
    let cfg = this.configs.get(source);
    if (!cfg) {
      cfg = parseLabelStudioConfig(source, 'label_config');
      const types = this.types ?? (this.configTypes = typesOfConfig(cfg));
      assertConfigMatchesTypes(cfg, { entityTypes: types.entities.map((t) => t.key), relationTypes: types.relations.map((t) => t.key) }, 'label_config');
      if (this.configs.size > 32) this.configs.clear();
      this.configs.set(source, cfg);
    }
    return cfg;
  }

  /** `POST /setup`: remembers where Label Studio is, checks the config against the model; answers the model version. */
  setup(body: unknown): { model_version: string } {
    const req = parseSetupRequest(body);
    this.config(req.schema);
    const known = this.projects.get(req.projectId) ?? {};
    this.projects.set(req.projectId, { ...known, schema: req.schema, ...(req.hostname ? { hostname: req.hostname } : {}), ...(req.accessToken ? { accessToken: req.accessToken } : {}) });
    return { model_version: this.modelVersion };
  }

  /** `POST /predict`: one Label Studio prediction per task, in task order. */
  async predict(body: unknown): Promise<{ results: LabelStudioPrediction[] }> {
    const { request, config } = parsePredictRequest(body, (xml, projectId) => this.config(xml, projectId));
    this.counts.predictions += 1;
    this.counts.tasks += request.tasks.length;
    // From an encoder, nothing is predicted before the first model: the model knows nothing yet (confidence 0).
    if (!this.serving) return { results: request.tasks.map(() => ({ result: [], score: 0, model_version: this.modelVersion })) };
    const { predictions, version } = await this.serving.predict(request.tasks.map((t) => ({ kind: 'text' as const, text: t.text })));
    return { results: predictions.map((p, i) => toLabelStudioPrediction(p, { text: request.tasks[i].text, config, modelVersion: version })) };
  }

  /** `POST /webhook`: a training event schedules a run (debounced); answers what happened, with api.py's status codes. */
  webhook(body: unknown): { statusCode: 200 | 201; body: Record<string, unknown> } {
    const event = parseWebhook(body);
    if (!event.trains) return { statusCode: 200, body: { status: 'Unknown event' } };
    const projectId = event.projectId as string;
    if (event.labelConfig !== undefined) {
      this.config(event.labelConfig);
      this.projects.set(projectId, { ...this.projects.get(projectId), schema: event.labelConfig });
    }
    this.trainProject = projectId;
    const outcome: ScheduleOutcome = this.scheduler.request({ now: event.action === 'START_TRAINING' });
    this.log(`${event.action} (project ${projectId}): training ${outcome}`);
    return { statusCode: 201, body: { status: 'ok', result: { training: outcome, model_version: this.modelVersion } } };
  }

  /** Stops scheduling and waits for a running job; frees the executor and the model. */
  async close(): Promise<void> {
    this.scheduler.cancel();
    await this.scheduler.idle();
    await this.o.executor.close();
    this.serving?.dispose();
  }

  /** Fetches the project's annotated tasks (Label Studio's JSON export, token auth). */
  private async fetchExport(projectId: string): Promise<{ url: string; json: unknown }> {
    const project = this.projects.get(projectId) ?? {};
    const host = project.hostname ?? this.o.labelStudio?.url;
    const token = project.accessToken ?? this.o.labelStudio?.token;
    if (!host || !token) {
      throw new SpertError('INVALID_OPTION',
        `project ${projectId}: no Label Studio URL and API token to fetch the annotations: connect the backend in the project's settings (Label Studio sends them with /setup) or start it with --label-studio-url and --label-studio-token`,
      );
    }
    const url = `${host.replace(/\/+$/, '')}/api/projects/${encodeURIComponent(projectId)}/export?exportType=JSON`;
    const res = await (this.o.fetch ?? fetch)(url, { headers: { Authorization: `Token ${token}`, Accept: 'application/json' } });
    const text = await res.text();
    if (!res.ok) throw new SpertError('DOWNLOAD_FAILED', `GET ${url}: ${res.status} ${res.statusText}${res.status === 401 || res.status === 403 ? ' (is the API token right? Label Studio sends the project creator\'s legacy token with /setup)' : ''}: ${text.slice(0, 200)}`);
    try {
      return { url, json: JSON.parse(text) as unknown };
    } catch {
      throw new SpertError('DOWNLOAD_FAILED', `GET ${url}: the answer is not JSON: ${text.slice(0, 200)}`);
    }
  }

  /** Splits the documents deterministically (by a hash of each task id) into training and held-out ones. */
  private split(documents: Document[]): { train: Document[]; heldOut: Document[] } {
    const share = this.o.heldOutShare ?? 0.2;
    const n = documents.length;
    const k = n >= 2 && share > 0 ? Math.min(n - 1, Math.max(1, Math.round(share * n))) : 0;
    const key = (d: Document) => createHash('sha256').update(String(d.orig_id ?? '')).digest('hex');
    const order = documents.map((d, i) => ({ d, i, h: key(d) })).sort((a, b) => (a.h < b.h ? -1 : a.h > b.h ? 1 : a.i - b.i));
    const held = new Set(order.slice(0, k).map((x) => x.i));
    return { train: documents.filter((_, i) => !held.has(i)), heldOut: documents.filter((_, i) => held.has(i)) };
  }

  /** One training run (called by the scheduler, never on a request). */
  private async train(): Promise<void> {
    const projectId = this.trainProject as string;
    const at = new Date().toISOString();
    try {
      const { url, json } = await this.fetchExport(projectId);
      const cfg = this.config(undefined, projectId);
      const types = this.types as TypesSchema;
      const converted = labelStudioTrainingDocuments(json, { config: cfg, types, source: url });
      for (const p of converted.problems.slice(0, 20)) this.log(formatAnnotationProblem(p));
      if (converted.problems.length > 20) this.log(`... and ${converted.problems.length - 20} more problems`);
      const documents = converted.documents;
      const minTasks = this.o.minTasks ?? 2;
      if (documents.length < minTasks) {
        this.log(`project ${projectId}: ${documents.length} annotated tasks, training needs at least ${minTasks}: not trained`);
        this.lastTraining = { at, projectId, tasks: documents.length, error: `${documents.length} annotated tasks, at least ${minTasks} needed`, modelVersion: this.modelVersion };
        return;
      }
      const { train, heldOut } = this.split(documents);
      this.runNumber += 1;
      const outDir = path.join(this.o.workDir, 'models', `${String(this.runNumber).padStart(4, '0')}-${at.replace(/[:.]/g, '-')}`);
      const batchSize = Math.min(this.o.hyperparameters?.batchSize ?? 2, train.length);
      this.log(`project ${projectId}: training on ${train.length} annotated tasks (${heldOut.length} held out) with ${this.o.executor.description}`);
      const serving = this.serving;
      const result = await this.o.executor.run({
        start: serving ? { kind: 'model', dir: serving.dir } : { kind: 'encoder', id: this.o.encoder as string },
        types,
        train,
        heldOut,
        ...(serving ? { currentDir: serving.dir } : {}),
        outDir,
        hyperparameters: { ...this.o.hyperparameters, batchSize },
        backend: this.o.backend ?? 'auto',
      });
      this.log(result.summary);
      if (result.accepted && result.modelDir) {
        const version = serving ? await serving.swap(result.modelDir) : (this.serving = await ServingModel.open({ dir: result.modelDir, name: this.o.name, types })).version;
        this.counts.swaps += 1;
        this.log(`now predicting with ${version} (${result.modelDir})`);
      }
      this.lastTraining = { at, projectId, tasks: documents.length, result, modelVersion: this.modelVersion };
    } catch (err) {
      this.lastTraining = { at, projectId, tasks: 0, error: describeError(err), modelVersion: this.modelVersion };
      throw err;
    }
  }
}
