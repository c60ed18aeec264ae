// eslint.config.mjs's @nx/enforce-module-boundaries on this workspace's real project graph:
// probe sources are linted as if they lived in a package (`--stdin-filename`), nothing is written.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

const repoRoot = path.resolve(__dirname, '../..');

interface LintMessage {
  ruleId: string | null;
  line: number;
  message: string;
}

function lintProbe(fileInRepo: string, source: string): LintMessage[] {
  const eslintBin = path.join(path.dirname(require.resolve('eslint/package.json')), 'bin/eslint.js');
  const r = spawnSync(process.execPath, [eslintBin, '--format', 'json', '--stdin', '--stdin-filename', fileInRepo], {
    cwd: repoRoot,
    input: source,
    encoding: 'utf8',
  });
  if (r.stdout.includes('No cached ProjectGraph')) throw new Error(`the boundaries rule found no nx project graph:\n${r.stdout}`);
  const start = r.stdout.indexOf('[');
  if (start < 0) throw new Error(`eslint printed no JSON (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  const [result] = JSON.parse(r.stdout.slice(start)) as Array<{ messages: LintMessage[] }>;
  return result.messages;
}

/** The boundary errors by line. */
function boundaryErrors(messages: LintMessage[]): Record<number, string> {
  return Object.fromEntries(
    messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => [m.line, m.message]),
  );
}

beforeAll(() => {
  // The rule reads nx's cached graph; any nx command writes it (npm test's run-many already has).
  if (existsSync(path.join(repoRoot, '.nx/workspace-data/project-graph.json'))) return;
  const r = spawnSync(process.execPath, [require.resolve('nx/bin/nx.js'), 'show', 'projects'], { cwd: repoRoot, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`nx show projects failed, so there is no project graph to lint against:\n${r.stderr}`);
}, 120000);

describe('@nx/enforce-module-boundaries in eslint.config.mjs', () => {
  it('stops a tensor-free package from importing tensor packages, TF.js, onnxruntime, apps and outside files', () => {
    const source = [
      "import { useBackend } from '@spert/backend';",
      "import * as tf from '@tensorflow/tfjs-core';",
      "import type { InferenceSession } from 'onnxruntime-node';",
      "import { main } from '../../../apps/serve/src/main';",
      "import { bench } from '../../../tools/bench/timing';",
      "import { readSpertDataset } from '@spert/core';",
      "import * as fs from 'node:fs';",
      'export const probe: unknown[] = [useBackend, tf, main, bench, readSpertDataset, fs];',
      'export type Probe = InferenceSession;',
    ].join('\n');
    const errors = boundaryErrors(lintProbe('packages/tokenizer/src/boundary-probe.ts', source));
    expect(Object.keys(errors).map(Number)).toEqual([1, 2, 3, 4, 5]);
    expect(errors[1]).toBe('A project tagged with "scope:tensor-free" can only depend on libs tagged with "scope:tensor-free"');
    expect(errors[2]).toBe('A project tagged with "scope:tensor-free" is not allowed to import "@tensorflow/tfjs-core"');
    expect(errors[3]).toBe('A project tagged with "scope:tensor-free" is not allowed to import "onnxruntime-node"');
    expect(errors[4]).toMatch(/relative or absolute path/);
    expect(errors[5]).toMatch(/relative or absolute path/);
  });

  it('stops a TF.js package from importing the serving package', () => {
    const errors = boundaryErrors(
      lintProbe('packages/model/src/boundary-probe.ts', "import { exportSpertOnnx } from '@spert/onnx';\nexport const probe = exportSpertOnnx;\n"),
    );
    // onnx's specs depend on model, so the rule's cycle check fires first; either way it is an error.
    expect(errors[1]).toMatch(/scope:serving|Circular dependency between "@spert\/model" and "@spert\/onnx"/);
  });

  it('lets specs use tools/testing, and nothing else outside the project', () => {
    const source = [
      "import { sharedPath } from '../../../tools/testing/shared';",
      "import { erf } from '../../../tools/testing/float64';",
      "import { bench } from '../../../tools/bench/timing';",
      'export const probe = [sharedPath, erf, bench];',
    ].join('\n');
    const errors = boundaryErrors(lintProbe('packages/core/src/boundary-probe.spec.ts', source));
    expect(Object.keys(errors).map(Number)).toEqual([3]);
  });
});
