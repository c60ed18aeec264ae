// Test helpers that prove a module is tensor-free: what Node actually loads for an entry, and
// the names in a package's dependency closure.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import * as path from 'node:path';

const repoRoot = path.resolve(__dirname, '../..');

/** Every module path Node loaded for a built entry, listed when the process exits (a CLI entry may exit on --help). */
export function loadedByBuiltEntry(entry: string, argv: string[] = []): string[] {
  if (!existsSync(entry)) throw new Error(`${entry} is not built: run \`npx nx run-many -t build\` first (npm test builds before this test)`);
  const script = [
    `process.on('exit', () => require('node:fs').writeSync(3, JSON.stringify(Object.keys(require.cache))));`,
    `process.argv = [process.argv[0], ${JSON.stringify(entry)}, ...${JSON.stringify(argv)}];`,
    `require(${JSON.stringify(entry)});`,
  ].join('\n');
  const r = spawnSync(process.execPath, ['-e', script], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
  const listed = r.output[3];
  if (!listed) throw new Error(`${entry} ${argv.join(' ')}: exited ${r.status} without listing its modules: ${r.stderr}`);
  return JSON.parse(listed) as string[];
}

/** Absolute paths of every module Node loads for `entry` (TypeScript source, run through tsx with the repository's path mapping). */
export function loadedModules(entry: string): string[] {
  const script = `require(${JSON.stringify(entry)}); process.stdout.write(JSON.stringify(Object.keys(require.cache)));`;
  const r = spawnSync(process.execPath, ['-r', 'tsx/cjs', '-e', script], { cwd: repoRoot, encoding: 'utf8', timeout: 60000 });
  if (r.status !== 0) throw new Error(`loading ${entry} failed (exit ${r.status}): ${r.stderr || r.error?.message}`);
  return JSON.parse(r.stdout) as string[];
}

function packageDir(name: string, from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return realpathSync(candidate);
    if (path.dirname(dir) === dir) throw new Error(`dependency ${name} of ${from} is not installed`);
  }
}

/** Every package name reachable through `dependencies` (and required peers) from the package in `dir`. */
export function dependencyClosure(dir: string): Set<string> {
  const seen = new Set<string>();
  const queue = [realpathSync(dir)];
  while (queue.length > 0) {
    const current = queue.pop()!;
    const manifest = JSON.parse(readFileSync(path.join(current, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      peerDependencies?: Record<string, string>;
      peerDependenciesMeta?: Record<string, { optional?: boolean }>;
    };
    const peers = Object.keys(manifest.peerDependencies ?? {}).filter((p) => !manifest.peerDependenciesMeta?.[p]?.optional);
    for (const name of [...Object.keys(manifest.dependencies ?? {}), ...peers]) {
      if (seen.has(name)) continue;
      seen.add(name);
      queue.push(packageDir(name, current));
    }
  }
  return seen;
}
