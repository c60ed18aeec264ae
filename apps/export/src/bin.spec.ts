import { spawnSync } from 'node:child_process';
import { repoRoot } from '../../../tools/testing/shared';

// `npx spert-export` from the repository root, as the docs run it: it works without a build, and
// every error is one line on stderr.
const npx = (...args: string[]) => spawnSync('npx', ['spert-export', ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });

describe('npx spert-export', () => {
  it('prints its help', () => {
    const r = npx('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: spert-export \[options\]/);
  }, 60_000);

  it('reports an unknown option and a missing model directory in one line each', () => {
    const bogus = npx('--model', 'm', '--out', 'o', '--bogus-flag');
    expect(bogus.status).toBe(1);
    expect(bogus.stderr).toBe("spert-export: unknown option '--bogus-flag' (see spert-export --help)\n");
    const missing = npx('--model', '/nope', '--out', 'o');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^spert-export: --model \/nope: there is no model directory there /);
  }, 60_000);
});
