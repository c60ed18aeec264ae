import { spawnSync } from 'node:child_process';
import { repoRoot } from '../../../../tools/testing/shared';

// `npx spert-experiment` from the repository root, as the docs run it: no build needed, errors in one line.
const npx = (...args: string[]) => spawnSync('npx', ['spert-experiment', ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });

describe('npx spert-experiment', () => {
  it('prints its help', () => {
    const r = npx('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: spert-experiment <conll04\|scierc\|ade\|ablations\|beyond> \[options\] \[spert-train options\]/);
    expect(r.stdout).toContain('--folds <list>');
    expect(r.stderr).toBe('');
  }, 60_000);

  it('reports an unknown experiment, a spert-train flag it does not know and a bad value in one line each', () => {
    const name = npx('conll4');
    expect(name.status).toBe(1);
    expect(name.stderr).toBe('spert-experiment: unknown experiment "conll4": the experiments are conll04, scierc, ade, ablations, beyond (see spert-experiment --help)\n');
    const bogus = npx('ade', '--bogus-flag');
    expect(bogus.status).toBe(1);
    expect(bogus.stderr).toBe("spert-experiment: unknown option '--bogus-flag' (see spert-experiment --help)\n");
    const bad = npx('ade', '--folds', '12');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe('spert-experiment: --folds: "12" is not an integer from 0 to 9 (got "12")\n');
  }, 60_000);
});
