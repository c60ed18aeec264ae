// Test helper: runs a training command, SIGKILLs it at chosen moments, resumes it until it
// finishes, and lets the caller compare the result with an uninterrupted run. Any command that
// writes checkpoints and takes a resume flag fits (spert-train today, the pre-training command
// next): the caller gives the command line, the resume arguments and the kill points.
//
// Kill moments are driven by what the process does, never by sleeping and hoping:
// - 'in-checkpoint': the process SIGKILLs itself in the middle of writing the checkpoint of a
//   step (SPERT_TEST_CRASH_IN_CHECKPOINT, honoured by @spert/trainer's writeCheckpoint: weights
//   and optimizer state written, training state not, folder not renamed);
// - 'on-output': SIGKILL as soon as a line of its stdout/stderr matches (e.g. a step's progress
//   line, between checkpoints);
// - 'on-file': SIGKILL as soon as a path exists (e.g. right after a checkpoint's rename).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

/** When to kill one attempt. */
export type KillPoint =
  | { kind: 'in-checkpoint'; step: number }
  | { kind: 'on-output'; pattern: RegExp }
  | { kind: 'on-file'; path: string };

/** How one attempt ended. */
export interface AttemptResult {
  /** Exit code, or null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  /** True when the helper (not the process itself) sent the SIGKILL. */
  killedByHelper: boolean;
}

/** Options of {@link runAttempt}. */
export interface AttemptOptions {
  /** argv[0] and the rest, e.g. [process.execPath, 'apps/train/bin/spert-train.js', ...flags]. */
  command: readonly string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  kill?: KillPoint;
  /** Longest an attempt may run, in ms (the attempt fails after it). */
  timeoutMs: number;
}

/** Runs the command once, killing it with SIGKILL at `kill` (if given). */
export function runAttempt(o: AttemptOptions): Promise<AttemptResult> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, ...o.env };
    delete env.SPERT_TEST_CRASH_IN_CHECKPOINT;
    if (o.kill?.kind === 'in-checkpoint') env.SPERT_TEST_CRASH_IN_CHECKPOINT = String(o.kill.step);
    const child = spawn(o.command[0], o.command.slice(1), { cwd: o.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let killedByHelper = false;
    const killNow = () => {
      if (killedByHelper || child.exitCode !== null || child.signalCode !== null) return;
      killedByHelper = true;
      child.kill('SIGKILL');
    };
    const onData = (b: Buffer) => {
      output += b.toString('utf8');
      if (o.kill?.kind === 'on-output' && o.kill.pattern.test(output)) killNow();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    // A file appearing is checked as often as the process can make progress (every 10 ms).
    const poll = o.kill?.kind === 'on-file' ? setInterval(() => existsSync((o.kill as { path: string }).path) && killNow(), 10) : undefined;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${o.command.join(' ')}: still running after ${o.timeoutMs} ms\n${output}`));
    }, o.timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (poll) clearInterval(poll);
      resolve({ code, signal, output, killedByHelper });
    });
  });
}

/** Options of {@link killAndResume}. */
export interface KillAndResumeOptions {
  /** The full command of the first attempt. */
  command: readonly string[];
  /** Appended to `command` for every later attempt (e.g. ['--resume']). */
  resumeArgs: readonly string[];
  /** One attempt per kill point, in order; then one attempt without a kill, which must exit 0. */
  killPoints: readonly KillPoint[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs: number;
}

/**
 * Runs `command`, SIGKILLed at each kill point in turn (each attempt after the first resumes),
 * then resumes once more, to the end. Fails when an attempt meant to be killed exits on its own
 * (the kill point was never reached) or a finishing attempt fails. Returns every attempt.
 */
export async function killAndResume(o: KillAndResumeOptions): Promise<AttemptResult[]> {
  const attempts: AttemptResult[] = [];
  const commandFor = (i: number) => (i === 0 ? o.command : [...o.command, ...o.resumeArgs]);
  for (const [i, kill] of o.killPoints.entries()) {
    const r = await runAttempt({ command: commandFor(i), cwd: o.cwd, env: o.env, kill, timeoutMs: o.timeoutMs });
    attempts.push(r);
    if (r.signal !== 'SIGKILL') throw new Error(`attempt ${i + 1} (kill ${describeKill(kill)}) was not killed: exit code ${r.code}\n${r.output}`);
  }
  const last = await runAttempt({ command: commandFor(attempts.length), cwd: o.cwd, env: o.env, timeoutMs: o.timeoutMs });
  attempts.push(last);
  if (last.code !== 0) throw new Error(`the resumed attempt ${attempts.length} failed (code ${last.code}, signal ${last.signal})\n${last.output}`);
  return attempts;
}

/** A kill point in words, for messages. */
export function describeKill(k: KillPoint): string {
  return k.kind === 'in-checkpoint' ? `inside the checkpoint write of step ${k.step}` : k.kind === 'on-output' ? `on output ${k.pattern}` : `when ${k.path} exists`;
}
