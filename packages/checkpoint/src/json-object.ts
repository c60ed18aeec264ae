import { parseJson, SpertError } from '@spert/core';

/** A config.json given as text or already parsed, checked to be a JSON object; `source` names the file in errors. */
export function parseJsonObject(json: unknown, source: string): Record<string, unknown> {
  const obj = typeof json === 'string' ? parseJson(json, source) : json;
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new SpertError('INVALID_FILE', `${source}: expected a JSON object`);
  return obj as Record<string, unknown>;
}
