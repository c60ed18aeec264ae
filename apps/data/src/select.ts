import { documentConfidence, leastConfident } from '@spert/annotations';
import { useBackend, type BackendName } from '@spert/backend';
import { formatFromPath, isLineError, parseLine, readLines, type BatchDocument, type InputFormat } from '@spert/batch';
import { assertModelDir, readTypes, writeFileAtomic, SpertError } from '@spert/core';
import { SpertModel } from '@spert/model';

/** Options of {@link selectCommand} (the CLI's flags, parsed). */
export interface SelectOptions {
  /** A SpERT model directory. */
  model: string;
  /** JSONL (`{"id"?, "text"}` or `{"id"?, "tokens"}` a line) or plain text (a document a line); `-` for stdin. */
  pool: string;
  /** How many documents to select. */
  n: number;
  /** Where the selected documents go (JSONL); default: returned (the CLI prints them). */
  out?: string;
  /** Types file to check the model against. */
  types?: string;
  backend?: BackendName;
  /** Documents predicted per call (default 32). */
  batchSize?: number;
  log?: (line: string) => void;
}

interface Scored {
  line: number;
  id: string | number;
  raw: string;
  confidence: number;
}

/** The selected document as written: the pool's JSON object with its confidence added; a text line or a JSON string or word array becomes `{id, text}` or `{id, tokens}`. */
function outputRecord(s: Scored, doc: BatchDocument, format: InputFormat): Record<string, unknown> {
  const parsed: unknown = format === 'jsonl' ? JSON.parse(s.raw) : undefined;
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return { ...(parsed as Record<string, unknown>), confidence: s.confidence };
  return doc.input.kind === 'text' ? { id: s.id, text: doc.input.text, confidence: s.confidence } : { id: s.id, tokens: doc.input.tokens, confidence: s.confidence };
}

/**
 * `spert-data select`: predicts every document of a pool and keeps the `n` the model is least
 * sure about: the lowest confidence (@spert/annotations' documentConfidence, the score
 * spert-label-studio gives Label Studio: the least sure entity or relation of the document; a
 * document with nothing predicted scores 0). Writes them least confident first, as JSONL records
 * with a `confidence` field; returns them and a summary line. Bad pool lines are reported and skipped.
 */
export async function selectCommand(o: SelectOptions): Promise<{ selected: string; summary: string }> {
  const log = o.log ?? (() => undefined);
  if (!(Number.isInteger(o.n) && o.n >= 1)) throw new SpertError('INVALID_OPTION', `--n: expected a positive integer, got ${o.n}`);
  await assertModelDir(o.model, { flag: '--model' });
  await useBackend(o.backend ?? 'auto');
  const types = o.types ? await readTypes({ path: o.types }) : undefined;
  const model = await SpertModel.load({ dir: o.model, types });
  const format = formatFromPath(o.pool);
  const batchSize = o.batchSize ?? 32;
  const scored: Array<Scored & { doc: BatchDocument }> = [];
  let bad = 0;
  try {
    const predictor = model.asPredictor();
    let batch: Array<{ doc: BatchDocument; raw: string }> = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const predictions = await predictor.predict(batch.map((b) => b.doc.input), { source: o.pool });
      predictions.forEach((p, i) => scored.push({ line: batch[i].doc.line, id: batch[i].doc.id, raw: batch[i].raw, confidence: documentConfidence(p), doc: batch[i].doc }));
      batch = [];
    };
    for await (const { line, text } of readLines({ path: o.pool })) {
      const doc = parseLine(text, line, format, o.pool);
      if (doc === undefined) continue;
      if (isLineError(doc)) {
        bad += 1;
        if (bad <= 20) log(`${doc.reason}: skipped`);
        continue;
      }
      batch.push({ doc, raw: text });
      if (batch.length >= batchSize) await flush();
    }
    await flush();
  } finally {
    model.dispose();
  }
  if (scored.length === 0) throw new SpertError('INVALID_INPUT', `${o.pool}: no documents to select from${bad ? ` (${bad} bad lines)` : ''}`);
  const chosen = leastConfident(scored, o.n);
  const selected = chosen.map((s) => `${JSON.stringify(outputRecord(s, s.doc, format))}\n`).join('');
  if (o.out) await writeFileAtomic({ path: o.out, data: selected });
  const range = chosen.length ? `confidence ${chosen[0].confidence.toFixed(4)} to ${chosen[chosen.length - 1].confidence.toFixed(4)}` : '';
  const summary = `selected ${chosen.length} of ${scored.length} documents, least confident first (${range})${bad ? `; ${bad} bad lines skipped` : ''}${o.out ? `; wrote ${o.out}` : ''}`;
  return { selected, summary };
}
