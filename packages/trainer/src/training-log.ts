import * as path from 'node:path';
import { trainingCurveSvg } from './training-curve-svg';
import { nodeFs, type TrainerFs } from './trainer-fs';
import { SpertError } from '@spert/core';

/** Mean loss over a window of steps (one JSONL/CSV row). */
export interface LossLogRow {
  type: 'loss';
  epoch: number;
  /** Updates done at the end of the window. */
  step: number;
  /** Steps averaged in this row. */
  steps: number;
  loss: number;
  parts: Record<string, number>;
  lr: number;
  docsPerSecond: number;
  time: string;
}

/** Metrics returned by the evaluation after an epoch. */
export interface EvalLogRow {
  type: 'eval';
  epoch: number;
  step: number;
  metrics: Record<string, number>;
  time: string;
}

/** A row of train_log.jsonl. */
export type LogRow = LossLogRow | EvalLogRow;

/** File names written in the log folder. */
export const LOG_FILES = { jsonl: 'train_log.jsonl', lossCsv: 'loss.csv', evalCsv: 'eval.csv', svg: 'training_curve.svg' } as const;

function csvCell(v: unknown): string {
  const s = v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function keysOf(rows: ReadonlyArray<Record<string, number>>): string[] {
  const keys = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) keys.add(k);
  return [...keys];
}

/** Options of {@link TrainingLog.open}. */
export interface TrainingLogOptions {
  dir: string;
  fs?: TrainerFs;
  /** Keep rows of an existing train_log.jsonl that pass this test (resume); otherwise start empty. */
  keep?: (row: LogRow) => boolean;
  /** Metrics drawn as curves (default: every metric the evaluations logged, in first-seen order). */
  plotMetrics?: readonly string[];
  /** Right end of the plot's x axis. */
  totalSteps?: number;
}

/** Loss-window and evaluation log: JSONL (append), CSV and an SVG training curve (rewritten). */
export class TrainingLog {
  readonly rows: LogRow[] = [];

  private constructor(
    private readonly dir: string,
    private readonly fs: TrainerFs,
    private readonly plotMetrics: readonly string[] | undefined,
    private readonly totalSteps: number | undefined,
  ) {}

  /** Opens the log folder; with `keep`, continues an existing log (rows after the resume point dropped). */
  static async open({ dir, fs = nodeFs, keep, plotMetrics, totalSteps }: TrainingLogOptions): Promise<TrainingLog> {
    await fs.mkdir(dir, { recursive: true });
    const log = new TrainingLog(dir, fs, plotMetrics, totalSteps);
    if (keep) {
      let text = '';
      try {
        text = new TextDecoder().decode(await fs.readBytes(path.join(dir, LOG_FILES.jsonl)));
      } catch {
        text = '';
      }
      text.split('\n').forEach((line, i) => {
        if (!line.trim()) return;
        let row: LogRow;
        try {
          row = JSON.parse(line) as LogRow;
        } catch {
          throw new SpertError('INVALID_FILE', `TrainingLog: ${path.join(dir, LOG_FILES.jsonl)} line ${i + 1} is not JSON`);
        }
        if (keep(row)) log.rows.push(row);
      });
    }
    await fs.writeFile(path.join(dir, LOG_FILES.jsonl), log.rows.map((r) => JSON.stringify(r) + '\n').join(''));
    await log.rewrite();
    return log;
  }

  /** Appends a row and refreshes the CSV files and the plot. */
  async add(row: LogRow): Promise<void> {
    this.rows.push(row);
    await this.fs.appendFile(path.join(this.dir, LOG_FILES.jsonl), JSON.stringify(row) + '\n');
    await this.rewrite();
  }

  /** Path of one of the log files. */
  file(which: keyof typeof LOG_FILES): string {
    return path.join(this.dir, LOG_FILES[which]);
  }

  private async rewrite(): Promise<void> {
    const losses = this.rows.filter((r): r is LossLogRow => r.type === 'loss');
    const evals = this.rows.filter((r): r is EvalLogRow => r.type === 'eval');
    const partKeys = keysOf(losses.map((r) => r.parts));
    const lossCsv = [['step', 'epoch', 'steps', 'loss', ...partKeys, 'lr', 'docs_per_s', 'time'].map(csvCell).join(',')];
    for (const r of losses) lossCsv.push([r.step, r.epoch, r.steps, r.loss, ...partKeys.map((k) => r.parts[k]), r.lr, r.docsPerSecond, r.time].map(csvCell).join(','));
    const metricKeys = keysOf(evals.map((r) => r.metrics));
    const evalCsv = [['epoch', 'step', ...metricKeys, 'time'].map(csvCell).join(',')];
    for (const r of evals) evalCsv.push([r.epoch, r.step, ...metricKeys.map((k) => r.metrics[k]), r.time].map(csvCell).join(','));
    await this.fs.writeFile(this.file('lossCsv'), lossCsv.join('\n') + '\n');
    await this.fs.writeFile(this.file('evalCsv'), evalCsv.join('\n') + '\n');
    const svg = trainingCurveSvg({
      loss: losses.map((r) => ({ step: r.step, loss: r.loss })),
      metrics: (this.plotMetrics ?? metricKeys).map((name) => ({
        name,
        points: evals.filter((r) => name in r.metrics).map((r) => ({ step: r.step, epoch: r.epoch, value: r.metrics[name] })),
      })),
      totalSteps: this.totalSteps,
    });
    await this.fs.writeFile(this.file('svg'), svg);
  }
}
