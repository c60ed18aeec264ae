import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { repoRoot } from '../../../tools/testing/shared';

// `npx spert-eval` from the repository root, as the docs run it: works without a build, and
// every error is one line on stderr.
const npx = (...args: string[]) => spawnSync('npx', ['spert-eval', ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });

describe('npx spert-eval', () => {
  it('prints its help and asks for a command in one line', () => {
    const help = npx('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: spert-eval \[options\] \[command\]/);
    const none = npx();
    expect(none.status).toBe(1);
    expect(none.stderr).toBe('spert-eval: name a command: eval or predict (see spert-eval --help)\n');
  }, 60_000);

  it('says there is no model directory at --model', () => {
    const r = npx('eval', '--model', '/nope', '--dataset', 'x.json');
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `spert-eval: --model /nope: there is no model directory there (${path.resolve('/nope')} does not exist); a model directory holds config.json, the weights (model.safetensors or pytorch_model.bin) and the tokenizer files (vocab.txt or tokenizer.json, tokenizer_config.json)\n`,
    );
  }, 60_000);
});
