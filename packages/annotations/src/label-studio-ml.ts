// The Label Studio ML backend protocol (label-studio-ml-backend's api.py; Label Studio's
// label_studio/ml/api_connector.py sends the requests): request bodies read and checked, model
// predictions written as Label Studio predictions, annotated exports read for training.
import type { Prediction, TypesSchema } from '@spert/core';
import { alignDocuments, type AlignOptions, type ConversionResult } from './align';
import { parseLabelStudio, type LabelStudioLabelsResult, type LabelStudioRelationResult } from './label-studio';
import { LabelStudioError, type LabelStudioTextConfig } from './label-studio-config';
import { documentConfidence } from './confidence';
import { SpertError } from '@spert/core';

/** Webhook actions that (re)train the model; api.py answers others with `{"status": "Unknown event"}`. */
export const TRAIN_EVENTS = ['ANNOTATION_CREATED', 'ANNOTATION_UPDATED', 'ANNOTATION_DELETED', 'START_TRAINING'] as const;

/** A webhook action that trains. */
export type TrainEvent = (typeof TRAIN_EVENTS)[number];

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const bad = (message: string): never => {
  throw new LabelStudioError('INVALID_REQUEST', message);
};
const describe = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'string' ? `the string ${JSON.stringify(v.slice(0, 40))}` : typeof v);

/**
 * The project id in the `project` field Label Studio sends: `"<id>.<created-at seconds>"`
 * (api_connector's `_create_project_uid`), a bare id, or a number.
 */
export function labelStudioProjectId(project: unknown, field = 'project'): string {
  if (typeof project === 'number' && Number.isInteger(project)) return String(project);
  if (typeof project === 'string' && /^\d+(\.\d+)?$/.test(project.trim())) return project.trim().split('.', 1)[0] as string;
  return bad(`${field}: expected a Label Studio project id ("12.1700000000" or 12), got ${describe(project)}`);
}

/** `POST /setup` as Label Studio sends it. */
export interface SetupRequest {
  projectId: string;
  /** The project's labeling config (XML). */
  schema: string;
  /** Where Label Studio answers API calls (its HOSTNAME setting, or http://localhost:<port>). */
  hostname?: string;
  /** The project creator's API token (legacy token, sent as `Authorization: Token ...`). */
  accessToken?: string;
  extraParams?: Record<string, unknown>;
}

/** Reads a `POST /setup` body: `{project, schema, hostname?, access_token?, extra_params?}`. */
export function parseSetupRequest(body: unknown): SetupRequest {
  if (!isRecord(body)) return bad(`setup: expected a JSON object {project, schema, hostname, access_token}, got ${describe(body)}`);
  const projectId = labelStudioProjectId(body.project);
  if (typeof body.schema !== 'string') return bad(`schema: expected the labeling config (XML string), got ${describe(body.schema)}`);
  const out: SetupRequest = { projectId, schema: body.schema };
  if (typeof body.hostname === 'string' && body.hostname !== '') out.hostname = body.hostname;
  if (typeof body.access_token === 'string' && body.access_token !== '') out.accessToken = body.access_token;
  if (isRecord(body.extra_params)) out.extraParams = body.extra_params;
  return out;
}

/** One task of a `POST /predict` request, with the text its `<Text>` object shows. */
export interface PredictTask {
  /** Label Studio's task id (absent in hand-made requests). */
  id?: number | string;
  text: string;
}

/** `POST /predict` as Label Studio sends it. */
export interface PredictRequest {
  tasks: PredictTask[];
  projectId?: string;
  /** The project's labeling config, when sent (Label Studio always sends it). */
  labelConfig?: string;
}

/**
 * Reads a `POST /predict` body `{tasks, project, label_config, params}`: each task's text is
 * `task.data[<key>]` for the `<Text>` object's `value="$key"` (`config` from `label_config` or the
 * setup of the project, which `config` also gets). A task without that key names the task and the keys it has.
 */
export function parsePredictRequest(body: unknown, config: (labelConfig: string | undefined, projectId: string | undefined) => LabelStudioTextConfig): { request: PredictRequest; config: LabelStudioTextConfig } {
  if (!isRecord(body)) return bad(`predict: expected a JSON object {tasks, project, label_config}, got ${describe(body)}`);
  const labelConfig = typeof body.label_config === 'string' && body.label_config.trim() !== '' ? body.label_config : undefined;
  const projectId = body.project !== undefined && body.project !== null && body.project !== '' ? labelStudioProjectId(body.project) : undefined;
  const cfg = config(labelConfig, projectId);
  // api.py's own test sends one task as an object; Label Studio sends a list.
  const raw = isRecord(body.tasks) ? [body.tasks] : body.tasks;
  if (!Array.isArray(raw)) return bad(`tasks: expected a list of tasks, got ${describe(body.tasks)}`);
  const tasks = raw.map((task: unknown, i): PredictTask => {
    if (!isRecord(task) || !isRecord(task.data)) return bad(`tasks[${i}]: expected a task {id, data: {${cfg.dataKey}: ...}}, got ${isRecord(task) ? 'no "data" object' : describe(task)}`);
    const text = task.data[cfg.dataKey];
    const id = typeof task.id === 'number' || typeof task.id === 'string' ? task.id : undefined;
    if (typeof text !== 'string') {
      const keys = Object.keys(task.data);
      return bad(
        `tasks[${i}]${id !== undefined ? ` (task ${id})` : ''}.data.${cfg.dataKey}: expected the text the <Text name="${cfg.toName}" value="$${cfg.dataKey}"> shows, got ${describe(text)} (data keys: ${keys.join(', ') || 'none'})`,
      );
    }
    return id === undefined ? { text } : { id, text };
  });
  const out: PredictRequest = { tasks };
  if (projectId !== undefined) out.projectId = projectId;
  if (labelConfig !== undefined) out.labelConfig = labelConfig;
  return { request: out, config: cfg };
}

/** A webhook Label Studio sends (`action` and the serialised `project`; annotation events also carry `annotation`). */
export interface WebhookEvent {
  action: string;
  /** Whether the action (re)trains the model. */
  trains: boolean;
  projectId?: string;
  labelConfig?: string;
}

/** Reads a `POST /webhook` body `{action, project: {id, label_config, ...}, annotation?, task?}`. */
export function parseWebhook(body: unknown): WebhookEvent {
  if (!isRecord(body)) return bad(`webhook: expected a JSON object {action, project}, got ${describe(body)}`);
  if (typeof body.action !== 'string' || body.action === '') return bad(`action: expected a webhook action such as "ANNOTATION_CREATED", got ${describe(body.action)}`);
  const event: WebhookEvent = { action: body.action, trains: (TRAIN_EVENTS as readonly string[]).includes(body.action) };
  if (isRecord(body.project)) {
    if (body.project.id !== undefined) event.projectId = labelStudioProjectId(body.project.id, 'project.id');
    if (typeof body.project.label_config === 'string') event.labelConfig = body.project.label_config;
  } else if (body.project !== undefined) {
    event.projectId = labelStudioProjectId(body.project);
  }
  if (event.trains && event.projectId === undefined) return bad(`project: a ${event.action} webhook must name its project ({"project": {"id": ...}}), got ${describe(body.project)}`);
  return event;
}

/** A Label Studio prediction of one task, as `POST /predict` answers it in `results`. */
export interface LabelStudioPrediction {
  result: Array<LabelStudioLabelsResult | LabelStudioRelationResult>;
  /** The task's confidence: see {@link documentConfidence}. */
  score: number;
  model_version: string;
}

/**
 * One task's prediction in Label Studio's format: a `labels` region per entity with UTF-16
 * `start`/`end` on the task text (as Label Studio counts), the covered `text`, `labels` and the
 * entity's `score`; a `relation` result per relation (`direction: "right"`, head to tail); the
 * task `score` ({@link documentConfidence}) and `model_version`. Region ids are stable: the same
 * prediction gives the same ids (`e<index>_<start>_<end>`).
 */
export function toLabelStudioPrediction(prediction: Prediction, o: { text: string; config: Pick<LabelStudioTextConfig, 'fromName' | 'toName'>; modelVersion: string }): LabelStudioPrediction {
  const ids: string[] = [];
  const result: LabelStudioPrediction['result'] = prediction.entities.map((e, i) => {
    const offsets = prediction.charOffsets;
    const start = e.charStart ?? offsets?.[e.start]?.[0];
    const end = e.charEnd ?? offsets?.[e.end - 1]?.[1];
    if (start === undefined || end === undefined) throw new SpertError('INVALID_INPUT', `toLabelStudioPrediction: entity ${i} has no character offsets (predict raw text, not words)`);
    const id = `e${i}_${start}_${end}`;
    ids.push(id);
    return { id, from_name: o.config.fromName, to_name: o.config.toName, type: 'labels' as const, value: { start, end, text: o.text.slice(start, end), labels: [e.type], score: e.score } };
  });
  for (const r of prediction.relations) {
    result.push({ type: 'relation', from_id: ids[r.head] as string, to_id: ids[r.tail] as string, direction: 'right', labels: [r.type] });
  }
  return { result, score: documentConfidence(prediction), model_version: o.modelVersion };
}

/** Options of {@link labelStudioTrainingDocuments}. */
export interface TrainingDocumentsOptions extends Pick<AlignOptions, 'boundaries' | 'sentences' | 'splitOptions'> {
  /** The project's config: the data key of the text. */
  config: Pick<LabelStudioTextConfig, 'dataKey'>;
  /** The model's types: labels outside them are reported and left out. */
  types: TypesSchema;
  /** Name of the export in problem messages (e.g. the export URL). */
  source: string;
}

/**
 * The annotated tasks of a Label Studio JSON export (`GET /api/projects/<id>/export?exportType=JSON`)
 * as SpERT training documents: only tasks with an annotation that was not cancelled (a skipped
 * task teaches nothing), the latest annotation of a task when it has several, entity boundaries
 * inside words widened to the word (`boundaries: 'snap'` unless told otherwise), everything else
 * reported as `@spert/annotations` always does.
 */
export function labelStudioTrainingDocuments(exported: unknown, o: TrainingDocumentsOptions): ConversionResult {
  if (!Array.isArray(exported)) throw new LabelStudioError('INVALID_REQUEST', `${o.source}: expected Label Studio's JSON export (a list of tasks), got ${describe(exported)}`);
  const annotated = exported.filter(
    (t: unknown) => isRecord(t) && Array.isArray(t.annotations) && (t.annotations as unknown[]).some((a) => isRecord(a) && a.was_cancelled !== true),
  );
  const read = parseLabelStudio(annotated, { source: o.source, textField: o.config.dataKey, pick: 'latest' });
  // Several annotators of one task are expected in a live project; the latest wins without a report line each time.
  const problems = read.problems.filter((p) => p.kind !== 'several-annotations');
  return alignDocuments({ documents: read.documents, problems, schema: o.types, boundaries: o.boundaries ?? 'snap', sentences: o.sentences, splitOptions: o.splitOptions });
}
