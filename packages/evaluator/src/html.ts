import type { Document, TypesSchema } from '@spert/core';
import type { EntityTuple, RelationTuple } from './tuples';
import { documentTuples, entityKey, relationKey } from './tuples';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

type Outcome = 'tp' | 'fp' | 'fn';

const STYLE = `body{font-family:system-ui,sans-serif;margin:2em;color:#222}
.doc{border-top:1px solid #ccc;padding:.6em 0}.idx{color:#888;font-size:.8em}
.toks{line-height:2.2em}.ent{padding:.1em .25em;border-radius:.25em;border:2px solid}
.tp{background:#d8f5d0;border-color:#3a9a2a}.fp{background:#fbd9d9;border-color:#c33}.fn{background:#dde8fb;border-color:#3867c4}
.lbl{font-size:.7em;font-weight:bold;margin-left:.2em}ul{margin:.2em 0}li.tp,li.fp,li.fn{border:none;list-style:none;padding:.1em .3em}
.legend span{margin-right:1em}`;

function entityOutcomes(gold: EntityTuple[], pred: EntityTuple[]): Array<{ e: EntityTuple; o: Outcome }> {
  const g = new Set(gold.map(entityKey));
  const p = new Set(pred.map(entityKey));
  const seen = new Set<string>();
  const out: Array<{ e: EntityTuple; o: Outcome }> = [];
  for (const e of [...pred, ...gold]) {
    const k = entityKey(e);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ e, o: g.has(k) && p.has(k) ? 'tp' : p.has(k) ? 'fp' : 'fn' });
  }
  return out.sort((a, b) => a.e.start - b.e.start || b.e.end - a.e.end);
}

function renderTokens(tokens: string[], ents: Array<{ e: EntityTuple; o: Outcome }>): string {
  // one box per mention after its last word; nested/overlapping mentions each get their own box
  const words = tokens.map(escapeHtml);
  return ents
    .map(({ e, o }) => {
      const text = words.slice(e.start, e.end).join(' ');
      return `<span class="ent ${o}" title="${o.toUpperCase()} ${escapeHtml(e.type.verbose)} [${e.start}, ${e.end})">${text}<span class="lbl">${escapeHtml(e.type.short)}</span></span>`;
    })
    .join(' ');
}

function relationItem(r: RelationTuple, tokens: string[], o: Outcome): string {
  const arg = (e: EntityTuple): string => `${escapeHtml(tokens.slice(e.start, e.end).join(' '))} <small>(${escapeHtml(e.type.short)})</small>`;
  return `<li class="${o}">${o.toUpperCase()}: ${arg(r.head)} &rarr; <b>${escapeHtml(r.type.short)}</b> &rarr; ${arg(r.tail)}</li>`;
}

/**
 * A self-contained HTML page comparing gold and predicted entities and relations per sentence
 * (relations judged with NEC: spans and entity types), coloured TP / FP / FN.
 */
export function renderExamplesHtml(params: { gold: Document[]; predicted: Document[]; types: TypesSchema; title?: string; limit?: number }): string {
  const title = params.title ?? 'SpERT predictions';
  const n = Math.min(params.gold.length, params.limit ?? params.gold.length);
  const docs: string[] = [];
  for (let d = 0; d < n; d++) {
    const g = documentTuples(params.gold[d], params.types, `gold document ${d}`);
    const p = documentTuples(params.predicted[d], params.types, `predicted document ${d}`);
    const tokens = params.gold[d].tokens;
    const gk = new Set(g.relations.map(relationKey));
    const pk = new Set(p.relations.map(relationKey));
    const rels = [
      ...p.relations.filter((r, i, a) => a.findIndex((x) => relationKey(x) === relationKey(r)) === i).map((r) => relationItem(r, tokens, gk.has(relationKey(r)) ? 'tp' : 'fp')),
      ...g.relations.filter((r, i, a) => !pk.has(relationKey(r)) && a.findIndex((x) => relationKey(x) === relationKey(r)) === i).map((r) => relationItem(r, tokens, 'fn')),
    ];
    docs.push(
      `<div class="doc"><div class="idx">document ${d}</div><div class="toks">${tokens.map(escapeHtml).join(' ')}</div>` +
        `<div class="toks">${renderTokens(tokens, entityOutcomes(g.entities, p.entities))}</div>` +
        (rels.length > 0 ? `<ul>${rels.join('')}</ul>` : '') +
        `</div>`,
    );
  }
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><h1>${escapeHtml(title)}</h1>
<p class="legend"><span class="ent tp">true positive</span><span class="ent fp">false positive</span><span class="ent fn">false negative (missed)</span></p>
${docs.join('\n')}
</body></html>
`;
}
