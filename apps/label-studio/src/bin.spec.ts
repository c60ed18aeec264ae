import { spawnSync } from 'node:child_process';
import { repoRoot } from '../../../tools/testing/shared';

// `npx spert-label-studio` from the repository root, as the docs run it: no build needed, one error line.
const npx = (...args: string[]) => spawnSync('npx', args, { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });

describe('npx spert-label-studio', () => {
  it('prints its help and reports bad usage in one line', () => {
    const help = npx('spert-label-studio', '--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: spert-label-studio \[options\]/);
    expect(help.stdout).toContain('--basic-auth <user:password>');
    const missing = npx('spert-label-studio', '--port', '9090');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe('spert-label-studio: give --model <dir> (a SpERT model) or --encoder <dir|id> (an encoder to train the first model from)\n');
    const worker = npx('spert-label-studio-worker', '--queue', 'localhost:6379');
    expect(worker.status).toBe(1);
    expect(worker.stderr).toBe('spert-label-studio-worker: --queue: expected redis://host:port (or rediss://), got "localhost:6379"\n');
  }, 90_000);
});
