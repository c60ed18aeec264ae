import { spawnSync } from 'node:child_process';
import { repoRoot } from '../../../tools/testing/shared';

// `npx spert-serve` / `npx spert-export` from the repository root, as the docs run them: they
// work without a build, and every error is one line on stderr.
const npx = (bin: string, ...args: string[]) => spawnSync('npx', [bin, ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });

describe('npx spert-serve and spert-export', () => {
  it('print their help', () => {
    for (const bin of ['spert-serve', 'spert-export']) {
      const r = npx(bin, '--help');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: ${bin} \\[options\\]`));
    }
  }, 60_000);

  it('report an unknown option and a missing model directory in one line each', () => {
    const bogus = npx('spert-export', '--model', 'm', '--out', 'o', '--bogus-flag');
    expect(bogus.status).toBe(1);
    expect(bogus.stderr).toBe("spert-export: unknown option '--bogus-flag' (see spert-export --help)\n");
    const missing = npx('spert-serve', '--model', '/nope');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^spert-serve: --model \/nope: there is no model directory there .*written by spert-export --model <model dir> --out <dir>\n$/);
  }, 60_000);
});
