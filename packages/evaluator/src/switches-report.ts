import { SPERT_DEFAULTS, type SpertSettings } from '@spert/core';

/**
 * The relation switches a model was evaluated with, for reports: entity types into the relation
 * head, the table of allowed (head type, relation, tail type) triples, the thresholds. Empty for
 * a model configured as the reference (one threshold, no constraints, no type embedding), whose
 * reports stay as they were.
 */
export function formatRelationSwitches(s: SpertSettings): string {
  const lines: string[] = [];
  if (s.relationEntityTypes !== 'none') lines.push(`entity types into the relation head: ${s.relationEntityTypes} (width ${s.typeEmbedding})`);
  if (s.relThresholds) {
    const per = [...s.types.relations].sort((a, b) => a.index - b.index).map((r) => `${r.key} ${(s.relThresholds?.[r.key] ?? s.relFilterThreshold).toFixed(2)}`);
    lines.push(`relation thresholds per type: ${per.join(', ')} (others ${s.relFilterThreshold.toFixed(2)})`);
  } else if (s.relFilterThreshold !== SPERT_DEFAULTS.relFilterThreshold) {
    lines.push(`relation threshold: ${s.relFilterThreshold.toFixed(2)}`);
  }
  if (s.relationTypeConstraints !== 'off') {
    const triples = s.relationTriples ?? [];
    lines.push(`relation type constraints (${s.relationTypeConstraints}): ${triples.length} allowed triples, others never emitted`);
    const width = Math.max(4, ...triples.map((t) => t[0].length));
    const rwidth = Math.max(8, ...triples.map((t) => t[1].length));
    lines.push(`  ${'head'.padEnd(width)}  ${'relation'.padEnd(rwidth)}  tail`);
    for (const [h, r, t] of triples) lines.push(`  ${h.padEnd(width)}  ${r.padEnd(rwidth)}  ${t}`);
  }
  return lines.length ? `Relation switches of this model:\n${lines.join('\n')}` : '';
}
