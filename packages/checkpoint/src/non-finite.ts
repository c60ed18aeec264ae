import type { NamedTensor } from './safetensors';
import { SpertError } from '@spert/core';

/**
 * Refuses tensors holding NaN or infinite values, naming each (a diverged or corrupted
 * checkpoint would otherwise give NaN scores with no hint why). `source` names the weights file;
 * the message says how to load such a file anyway.
 */
export function assertFiniteTensors(tensors: ReadonlyMap<string, NamedTensor>, source: string): void {
  const bad: string[] = [];
  let total = 0;
  for (const [name, t] of tensors) {
    if (!(t.data instanceof Float32Array)) continue;
    let nan = 0;
    let inf = 0;
    let first = -1;
    const d = t.data;
    for (let i = 0; i < d.length; i++) {
      const x = d[i];
      if (x - x !== 0) {
        if (Number.isNaN(x)) nan++;
        else inf++;
        if (first < 0) first = i;
      }
    }
    if (nan + inf > 0) {
      total++;
      if (bad.length < 10) bad.push(`"${name}" (${nan} NaN, ${inf} infinite; first at index ${first})`);
    }
  }
  if (total > 0) {
    throw new SpertError('INVALID_CHECKPOINT',
      `${source}: ${total} tensor${total === 1 ? '' : 's'} hold${total === 1 ? 's' : ''} NaN or infinite values: ${bad.join(', ')}${total > bad.length ? `, and ${total - bad.length} more` : ''}. ` +
        'Such weights give NaN scores; if you mean to load them anyway (to inspect them), pass --allow-non-finite (allowNonFinite: true)',
    );
  }
}
