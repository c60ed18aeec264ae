import { DatasetValidationError } from './problems';
import { SpertError } from './errors';

/** The "skip bad documents" hint of the CLIs that read datasets (spert-train, spert-eval eval). */
export const LENIENT_FLAG_HINT = 'run again with --lenient to skip bad documents';

/** What a command-line entry point does with an error: the exit code and the one line (if any) to print. */
export interface CliFailure {
  exitCode: number;
  message?: string;
}

/**
 * Turns an error thrown by a CLI (commander's own, with exitOverride, or ours) into one line
 * `<command>: <message>`. commander's errors arrive as "error: unknown option ..." and must not
 * also be printed by commander itself (configure it with {@link silentCommanderOutput});
 * a message that already starts with the command name is not prefixed twice. `lenientHint`
 * replaces the API wording of a dataset error's "skip bad documents" hint with the CLI's flag.
 */
export function cliFailure(command: string, err: unknown, options: { lenientHint?: string } = {}): CliFailure {
  const e = (typeof err === 'object' && err !== null ? err : {}) as { code?: unknown; message?: unknown; exitCode?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  // commander reports --help and --version as errors with exit code 0; it printed them already.
  if (code.startsWith('commander.') && e.exitCode === 0) return { exitCode: 0 };
  let message = typeof e.message === 'string' ? e.message : String(err);
  // A strict dataset read deep inside a command cannot know the command's flag; name it here.
  if (options.lenientHint && err instanceof DatasetValidationError) message = new DatasetValidationError(err.problems, { lenientHint: options.lenientHint }).message;
  if (code.startsWith('commander.')) {
    // e.g. "error: unknown command 'evall'\n(Did you mean eval?)": one line, no "error:".
    message = message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ');
    if (!/--help/.test(message)) message += ` (see ${command} --help)`;
  }
  const prefix = `${command}: `;
  while (message.startsWith(prefix)) message = message.slice(prefix.length);
  return { exitCode: typeof e.exitCode === 'number' && e.exitCode !== 0 ? e.exitCode : 1, message: `${prefix}${message}` };
}

/**
 * commander output settings for CLIs whose errors go through {@link cliFailure}: help still goes
 * to stdout, commander's error line is dropped (the thrown error carries the same text).
 */
export const silentCommanderOutput = {
  /** Drops commander's own error line. */
  outputError: (): void => undefined,
};

/**
 * Runs a CLI's main function; on failure prints one line and exits (explicitly: backend worker
 * threads would otherwise keep a failed run alive).
 */
export function runCliMain(command: string, main: () => Promise<void>, options: { lenientHint?: string } = {}): void {
  main().catch((err: unknown) => {
    const failure = cliFailure(command, err, options);
    if (failure.message) process.stderr.write(`${failure.message}\n`);
    process.exit(failure.exitCode);
  });
}

/**
 * A commander option parser for an integer flag within [min, max]; anything else throws
 * `<flag>: expected an integer from <min> to <max>, got "<value>"`. Without a range (a schema
 * checks it later, listing every bad field at once) any safe integer passes and the message is
 * `<flag>: expected an integer, got "<value>"`.
 */
export function integerOption(flag: string, min?: number, max?: number): (value: string) => number {
  const range = rangeText(min, max);
  return (value: string) => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < (min ?? -Infinity) || n > (max ?? Infinity)) throw new SpertError('INVALID_OPTION', `${flag}: expected an integer${range}, got "${value}"`, { field: flag, value });
    return n;
  };
}

/** A commander option parser for a number flag within [min, max] (any finite number without a range), with the messages of {@link integerOption}. */
export function numberOption(flag: string, min?: number, max?: number): (value: string) => number {
  const range = rangeText(min, max);
  return (value: string) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < (min ?? -Infinity) || n > (max ?? Infinity)) throw new SpertError('INVALID_OPTION', `${flag}: expected a number${range}, got "${value}"`, { field: flag, value });
    return n;
  };
}

function rangeText(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return ` from ${min} to ${max}`;
  if (min !== undefined) return ` of at least ${min}`;
  if (max !== undefined) return ` of at most ${max}`;
  return '';
}
