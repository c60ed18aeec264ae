import type { EvaluationResult, Scores, SettingResult } from './evaluate';

/** JSON form of one setting: micro, macro and per-type scores keyed by type key (percent). */
export interface SettingJson {
  micro: Scores;
  macro: Scores;
  types: Record<string, Scores>;
}

/** JSON form of an evaluation, with the same names as the CSV columns' prefixes. */
export interface MetricsJson {
  ner: SettingJson;
  rel: SettingJson;
  rel_nec: SettingJson;
}

function setting(s: SettingResult): SettingJson {
  const types: Record<string, Scores> = {};
  for (const t of s.perType) types[t.type] = { precision: t.precision, recall: t.recall, f1: t.f1, support: t.support };
  return { micro: { ...s.micro }, macro: { ...s.macro }, types };
}

/** Converts an evaluation to a plain JSON object (for logs, the HTTP API, CI checks). */
export function metricsToJson(result: EvaluationResult): MetricsJson {
  return { ner: setting(result.ner), rel: setting(result.rel), rel_nec: setting(result.relNec) };
}
