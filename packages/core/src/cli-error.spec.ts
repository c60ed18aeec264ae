import { cliFailure, integerOption, numberOption } from './cli-error';
import { DatasetValidationError } from './problems';

/** A stand-in for commander's CommanderError (same fields) so core needs no commander. */
const commanderError = (code: string, message: string, exitCode = 1) => Object.assign(new Error(message), { code, exitCode });

describe('cliFailure', () => {
  it('prints commander errors once, with the command name instead of "error:"', () => {
    expect(cliFailure('spert-train', commanderError('commander.unknownOption', "error: unknown option '--bogus-flag'"))).toEqual({
      exitCode: 1,
      message: "spert-train: unknown option '--bogus-flag' (see spert-train --help)",
    });
  });
  it('joins commander\'s two-line suggestions into one line', () => {
    expect(cliFailure('spert-eval', commanderError('commander.unknownCommand', "error: unknown command 'evall'\n(Did you mean eval?)")).message).toBe(
      "spert-eval: unknown command 'evall' (Did you mean eval?) (see spert-eval --help)",
    );
  });
  it('does not double a prefix the message already has', () => {
    expect(cliFailure('spert-eval', new Error('spert-eval: name a command: eval or predict (see --help)'))).toEqual({
      exitCode: 1,
      message: 'spert-eval: name a command: eval or predict (see --help)',
    });
    expect(cliFailure('spert-train', new Error('c.json: invalid training configuration')).message).toBe('spert-train: c.json: invalid training configuration');
  });
  it('exits 0 without a message after --help and --version', () => {
    expect(cliFailure('spert-serve', commanderError('commander.helpDisplayed', '(outputHelp)', 0))).toEqual({ exitCode: 0 });
    expect(cliFailure('spert-serve', commanderError('commander.version', '0.1.0', 0))).toEqual({ exitCode: 0 });
  });
  it('handles values that are not errors', () => {
    expect(cliFailure('spert-export', 'boom')).toEqual({ exitCode: 1, message: 'spert-export: boom' });
  });
  it('names the CLI flag in a dataset error instead of the API option', () => {
    const err = new DatasetValidationError([{ source: 'train.json', document: 3, field: 'tokens', message: 'is empty', severity: 'error' }]);
    expect(err.message).toContain('(pass lenient: true to skip bad documents)');
    expect(cliFailure('spert-train', err, { lenientHint: 'run again with --lenient to skip bad documents' }).message).toBe(
      'spert-train: train.json: 1 problem(s) in 1 document(s) (run again with --lenient to skip bad documents):\n  - train.json: document 3, tokens: is empty',
    );
  });
});

describe('integerOption and numberOption', () => {
  it('accept values in range and name the flag otherwise', () => {
    expect(integerOption('--port', 0, 65535)('8080')).toBe(8080);
    expect(() => integerOption('--port', 0, 65535)('70000')).toThrow('--port: expected an integer from 0 to 65535, got "70000"');
    expect(() => integerOption('--n', 1, 10)('1.5')).toThrow('--n: expected an integer from 1 to 10, got "1.5"');
    expect(numberOption('--lr', 0, 1)('5e-5')).toBe(5e-5);
    expect(() => numberOption('--held-out', 0, 0.9)('')).toThrow('--held-out: expected a number from 0 to 0.9, got ""');
    expect(() => numberOption('--held-out', 0, 0.9)('1')).toThrow('--held-out: expected a number from 0 to 0.9, got "1"');
    // Without a range: any integer (negative too) or finite number; the message names the flag.
    expect(integerOption('--seed')('-3')).toBe(-3);
    expect(() => integerOption('--epochs')('2.5')).toThrow('--epochs: expected an integer, got "2.5"');
    expect(() => integerOption('--epochs')('x')).toThrow('--epochs: expected an integer, got "x"');
    expect(() => integerOption('--batch-size', 1)('0')).toThrow('--batch-size: expected an integer of at least 1, got "0"');
    expect(() => integerOption('--port', 0, 65535)('-1')).toThrow('--port: expected an integer from 0 to 65535, got "-1"');
    expect(numberOption('--lr')('-0.5')).toBe(-0.5);
    expect(() => numberOption('--lr')('Infinity')).toThrow('--lr: expected a number, got "Infinity"');
  });
});
