import { ERROR_CODES, type ErrorCode } from './error-codes';

/**
 * docs/errors.md as markdown, generated from {@link ERROR_CODES} (`npm run docs:errors` writes it;
 * a core test fails when the committed page differs).
 */
export function errorCodesPage(): string {
  const codes = Object.keys(ERROR_CODES) as ErrorCode[];
  const kind = (status: number) => (status >= 500 ? 'server' : 'client');
  const lines = [
    '# Error codes',
    '',
    '<!-- Generated from packages/core/src/error-codes.ts by `npm run docs:errors`; edit the table there, not this page. -->',
    '',
    'Every error the packages and apps throw on purpose is a `SpertError` (from `@spert/core`) with a',
    'stable `code` below, a message that names what was wrong and where, and `details` with the same',
    'facts as JSON fields (`file`, `documentIndex`, `field`, `limit`, ...). The HTTP services answer',
    '`{ statusCode, error, code, message, details }` with the status of the code. Codes never change',
    'meaning; match on `code`, not on the message.',
    '',
    '```ts',
    "import { isSpertError } from '@spert/core';",
    '',
    'try {',
    '  // ... predict, train, read a dataset',
    '} catch (err) {',
    "  if (isSpertError(err, 'DOCUMENT_TOO_LONG')) console.error(`document ${err.documentIndex}: ${err.info.action}`);",
    '  else throw err;',
    '}',
    '```',
    '',
    '"HTTP" is the status a service answers when the error reaches a request: client (4xx) when the',
    "request or the data it names is at fault, server (5xx) when the server's own files, model or load are.",
    '',
    '| code | title | HTTP |',
    '|---|---|---|',
    ...codes.map((c) => `| [\`${c}\`](#${c.toLowerCase()}) | ${ERROR_CODES[c].title} | ${ERROR_CODES[c].http} (${kind(ERROR_CODES[c].http)}) |`),
    '',
  ];
  for (const c of codes) {
    const e = ERROR_CODES[c];
    lines.push(`## ${c}`, '', `**${e.title}** (HTTP ${e.http}, ${kind(e.http)} error)`, '', e.meaning, '', `What to do: ${e.action}`, '');
  }
  return lines.join('\n');
}
