import { spawnSync } from 'node:child_process';
import { repoRoot } from '../../../tools/testing/shared';

// `npx spert-train` from the repository root, as the docs run it: works without a build, and
// every error is one line on stderr (no commander echo, no doubled prefix, no npm warnings).
const npx = (...args: string[]) => spawnSync('npx', ['spert-train', ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });

describe('npx spert-train', () => {
  it('prints its help', () => {
    const r = npx('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: spert-train \[quickstart\] \[options\]/);
    expect(r.stdout).toContain('--lenient');
    expect(r.stdout).toContain('--verbose');
    expect(r.stderr).toBe('');
  }, 60_000);

  it('reports an unknown option, a bad value and an unknown dataset in one line each', () => {
    const bogus = npx('--bogus-flag');
    expect(bogus.status).toBe(1);
    expect(bogus.stderr).toBe("spert-train: unknown option '--bogus-flag' (see spert-train --help)\n");
    const bad = npx('--epochs', '0');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^spert-train: invalid training configuration:\n {2}- epochs: .*\n$/);
    const nosuch = npx('--dataset', 'nosuch');
    expect(nosuch.status).toBe(1);
    expect(nosuch.stderr).toMatch(/^spert-train: unknown dataset "nosuch": the known names are conll04, scierc, ade \(looked for in .*\); for other data pass --train, --valid and --types\n$/);
  }, 60_000);
});
