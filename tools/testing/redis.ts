// Starts a throw-away redis-server on 127.0.0.1 for the queue tests (spert-predict, spert-label-studio)
// (Debian's redis-server package; .ci/run installs it when missing), kills and restarts it for the
// fault tests, and stops it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

/** Path of redis-server (REDIS_SERVER overrides). */
export const REDIS_SERVER = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';

/** True when redis-server is installed. */
export const haveRedis = existsSync(REDIS_SERVER);

/** A free TCP port on 127.0.0.1 (free when asked; the caller binds it right away). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Options of {@link startRedis}. */
export interface StartRedisOptions {
  /** Listen on this port (default: a free one). */
  port?: number;
  /** Keep an append-only file in this directory, fsynced at every write: the data survive kill -9 and a restart. Default: no persistence at all. */
  aofDir?: string;
}

/** A running redis-server. */
export interface TestRedis {
  url: string;
  port: number;
  /** True while the server process runs. */
  readonly running: boolean;
  /** SIGTERM; resolves once it exited. */
  stop(): Promise<void>;
  /** SIGKILL (no shutdown, no save); resolves once it exited. */
  kill(): Promise<void>;
  /** Starts it again on the same port with the same options (empty without persistence). */
  restart(): Promise<void>;
}

function spawnRedis(port: number, o: StartRedisOptions): Promise<ChildProcess> {
  const persistence = o.aofDir ? ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', o.aofDir] : ['--appendonly', 'no'];
  const child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...persistence], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise<ChildProcess>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start within 10 s:\n${out}`)), 10_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer);
        // Keep reading so a full pipe never blocks the server.
        child.stdout?.resume();
        resolve(child);
      }
    });
    child.stderr?.resume();
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}:\n${out}`));
    });
  });
}

function ended(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/** Starts redis-server on a free loopback port (without persistence unless `aofDir`); resolves once it accepts connections. */
export async function startRedis(o: StartRedisOptions = {}): Promise<TestRedis> {
  if (!haveRedis) throw new Error(`redis-server missing at ${REDIS_SERVER}: the queue tests need it (apt-get install -y redis-server)`);
  const port = o.port ?? (await freePort());
  let child = await spawnRedis(port, o);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get running() {
      return child.exitCode === null && child.signalCode === null;
    },
    stop: () => ended(child, 'SIGTERM'),
    kill: () => ended(child, 'SIGKILL'),
    async restart() {
      await ended(child, 'SIGTERM');
      child = await spawnRedis(port, o);
    },
  };
}
