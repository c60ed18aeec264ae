import { experimentDefinition, type AblationVariant, type HeadlineRow } from './definitions';
import { f1Name, type ExperimentResults, type MetricValues, type Summary, type UnitRecord } from './results';

const fmt = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(2));
const pm = (m: number | undefined, s: number | undefined, n: number): string => (n > 1 ? `${fmt(m)} ± ${fmt(s)}` : fmt(m));

function pick(values: { main: MetricValues; without?: MetricValues }, row: HeadlineRow): number | undefined {
  return (row.noOverlapping ? values.without : values.main)?.[f1Name(row)];
}

function encoderLine(results: ExperimentResults): string {
  const t = results.config.train;
  const encoder = typeof t.encoder === 'string' ? `encoder ${t.encoder}` : `random ${typeof t.family === 'string' ? t.family : 'bert'} encoder (from scratch): hidden ${t.hiddenSize}, ${t.layers} layers, ${t.heads} heads, feed-forward ${t.intermediateSize}`;
  // Which relation switches every run shares (a variant's own changes are in its row): the table must say whether it is reference SpERT.
  const switches = [t.relationEntityTypes === 'embedding' ? 'entity types into the relation head' : '', t.relationTypeConstraints === 'train' ? 'relation type constraints' : '', t.tuneThresholds === true ? 'tuned thresholds' : ''].filter(Boolean);
  return `${encoder}; ${t.epochs} epochs, lr ${t.lr}, batch ${t.batchSize}, negatives ${t.negEntityCount}/${t.negRelationCount}; ${switches.length ? switches.join(', ') : 'reference SpERT relations'}${results.config.final ? '; trained on train+dev' : ''}`;
}

function units(results: ExperimentResults): UnitRecord[] {
  return results.planned.map((id) => results.units[id]).filter((u): u is UnitRecord => u !== undefined);
}

function headlineTable(rows: HeadlineRow[], s: Summary | undefined): string[] {
  const n = s?.n ?? 0;
  const lines = [`| | ours (${n > 1 ? `mean ± std over ${n} runs` : `${n} run`}) | paper |`, '|---|---:|---:|'];
  for (const row of rows) {
    const m = s ? pick({ main: s.mean, without: s.meanNoOverlapping }, row) : undefined;
    const d = s ? pick({ main: s.std, without: s.stdNoOverlapping }, row) : undefined;
    lines.push(`| ${row.label} | ${pm(m, d, n)} | ${row.paper === null ? 'not reported' : fmt(row.paper)} |`);
  }
  return lines;
}

function perRunTable(rows: HeadlineRow[], list: UnitRecord[], withFold: boolean, s: Summary | undefined): string[] {
  const short = (r: HeadlineRow) => `${r.setting === 'ner' ? 'NER' : r.setting === 'rel' ? 'rel (boundaries)' : 'rel (strict)'} ${r.average}${r.noOverlapping ? ' no overlap' : ''}`;
  const head = `| ${withFold ? 'fold | ' : ''}seed | ${rows.map(short).join(' | ')} | seconds |`;
  const lines = [head, `|${withFold ? '---:|' : ''}---:|${rows.map(() => '---:|').join('')}---:|`];
  for (const u of list) {
    lines.push(`| ${withFold ? `${u.fold} | ` : ''}${u.seed} | ${rows.map((r) => fmt(pick({ main: u.metrics, without: u.metricsNoOverlapping }, r))).join(' | ')} | ${u.seconds.toFixed(0)} |`);
  }
  if (s && s.n > 1) {
    const cell = (r: HeadlineRow) => pm(pick({ main: s.mean, without: s.meanNoOverlapping }, r), pick({ main: s.std, without: s.stdNoOverlapping }, r), s.n);
    lines.push(`${withFold ? '| mean ± std | |' : '| mean ± std |'} ${rows.map(cell).join(' | ')} | |`);
  }
  return lines;
}

function variantTable(results: ExperimentResults, variants: AblationVariant[], o: { base: string; source: string; macro: boolean; boundaries: boolean }): string[] {
  const macro = o.macro ? ' NER macro F1 |' : '';
  const relMacro = o.macro ? ' rel macro F1 |' : '';
  // Relations by boundaries (entity types ignored): SciERC's published number.
  const boundaries = o.boundaries ? ` rel (boundaries) micro F1 |${o.macro ? ' macro F1 |' : ''}` : '';
  const boundaryRule = o.boundaries ? `---:|${o.macro ? '---:|' : ''}` : '';
  const lines = [
    `| variant | changes | NER micro F1 |${macro} rel (strict) micro P | R | F1 |${relMacro}${boundaries} F1 vs ${o.base} | ${o.source} |`,
    `|---|---|---:|${o.macro ? '---:|' : ''}---:|---:|---:|${o.macro ? '---:|' : ''}${boundaryRule}---:|---|`,
  ];
  const base = results.summary[o.base];
  for (const v of variants) {
    const s = results.summary[v.name];
    const n = s?.n ?? 0;
    const cell = (k: string) => (s ? pm(s.mean[k], s.std[k], n) : 'not run');
    const delta = s && base && v.name !== o.base ? s.mean.rel_nec_f1_micro - base.mean.rel_nec_f1_micro : undefined;
    const changes = Object.entries(v.changes).map(([k, x]) => `${k}=${JSON.stringify(x)}`).join(', ') || '-';
    const m = (k: string) => (o.macro ? ` ${cell(k)} |` : '');
    const b = o.boundaries ? ` ${cell('rel_f1_micro')} |${m('rel_f1_macro')}` : '';
    lines.push(
      `| ${v.name} | ${changes} | ${cell('ner_f1_micro')} |${m('ner_f1_macro')} ${cell('rel_nec_prec_micro')} | ${cell('rel_nec_rec_micro')} | ${cell('rel_nec_f1_micro')} |${m('rel_nec_f1_macro')}${b} ${delta === undefined ? '-' : `${delta >= 0 ? '+' : ''}${delta.toFixed(2)}`} | ${v.paper} |`,
    );
  }
  return lines;
}

/** The experiment's tables in markdown: ours beside the paper's numbers, then one row per run (or fold, or variant). */
export function formatTables(results: ExperimentResults): string {
  const def = experimentDefinition(results.experiment, typeof results.config.train.dataset === 'string' ? results.config.train.dataset : undefined);
  const list = units(results);
  const out = [`## spert-experiment ${results.experiment}: ${list.length} of ${results.planned.length} runs finished`, '', encoderLine(results), ''];
  if (def.variants) {
    const { table, note, source = 'paper (direction)', macro = false, boundaries = false } = def.variants;
    // Deltas are against the table's first variant: the configuration every other one changes.
    out.push(note, '', ...variantTable(results, results.variants ?? [], { base: table[0]?.name ?? 'default', source, macro, boundaries }));
  } else {
    const s = results.summary.all;
    out.push(...headlineTable(def.headline, s), '', def.paperNote, '', ...perRunTable(def.headline, list, def.folds !== undefined, s));
  }
  return out.join('\n');
}
