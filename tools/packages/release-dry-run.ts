// CI's check of the release setup (CONTRIBUTING.md, "Releases"): `nx release --dry-run` must run
// on a clean clone (no git remote, no tags: versions come from the package.json files, nx.json
// "release") and must leave every file as it was. Prints what a release would do.
//   npx tsx tools/packages/release-dry-run.ts
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { WORKSPACE_ROOT } from './workspace';

/**
 * Tracked files, and untracked ones a release writes (changelogs, version plans), with a hash of
 * their content: what a dry run must not change. Other untracked files are left out because
 * `npm test` runs this beside other tasks that may write scratch files.
 */
function snapshot(): Map<string, string> {
  const r = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: WORKSPACE_ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ls-files failed: ${r.stderr}`);
  const tracked = new Set(spawnSync('git', ['ls-files', '-z', '--cached'], { cwd: WORKSPACE_ROOT, encoding: 'utf8' }).stdout.split('\0'));
  const files = r.stdout
    .split('\0')
    .filter(Boolean)
    .filter((f) => tracked.has(f) || path.posix.basename(f) === 'CHANGELOG.md' || f.startsWith('.nx/version-plans/') || path.posix.basename(f) === 'package.json');
  return new Map(
    files.map((f) => {
      const full = path.join(WORKSPACE_ROOT, f);
      return [f, existsSync(full) ? createHash('sha1').update(readFileSync(full)).digest('hex') : '(deleted)'];
    }),
  );
}

const before = snapshot();
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NX_TASK') && !/^npm_/i.test(k)));
const started = Date.now();
const r = spawnSync('npx', ['nx', 'release', '--dry-run', '--skip-publish'], {
  cwd: WORKSPACE_ROOT,
  env: { ...env, NX_DAEMON: 'false', NX_TUI: 'false' },
  encoding: 'utf8',
  maxBuffer: 64 * 1024 * 1024,
});
const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
if (r.status !== 0) {
  console.error(output);
  console.error(`release-dry-run: \`nx release --dry-run\` failed (exit ${r.status}); CONTRIBUTING.md "Releases" says how releases are configured`);
  process.exit(1);
}
const after = snapshot();
const changed = [...new Set([...before.keys(), ...after.keys()])].filter((f) => before.get(f) !== after.get(f));
if (changed.length) {
  console.error(output);
  console.error(`release-dry-run: \`nx release --dry-run\` changed ${changed.join(', ')}; a dry run must change nothing`);
  process.exit(1);
}
const plans = existsSync(path.join(WORKSPACE_ROOT, '.nx/version-plans'))
  ? spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '.nx/version-plans'], { cwd: WORKSPACE_ROOT, encoding: 'utf8' }).stdout.split('\n').filter(Boolean)
  : [];
const bump = /New version (\S+) written/.exec(output)?.[1];
console.log(
  `release-dry-run: ok in ${((Date.now() - started) / 1000).toFixed(1)} s, no file changed; ${plans.length} version plan(s)` +
    (bump ? `, the next release would be ${bump}` : ', nothing to release'),
);
