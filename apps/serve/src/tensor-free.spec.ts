// Serving needs no TensorFlow.js: the built onnxruntime adapter and spert-serve load no
// @tensorflow/* module, and what installing them installs names none (apps/export's
// tensor-free.spec.ts: the same for spert-export). The built entries are
// checked (this project's test target depends on its build), so the test sees what users run.
import * as path from 'node:path';
import { dependencyClosure, loadedByBuiltEntry } from '../../../tools/testing/loaded-modules';
import { repoRoot } from '../../../tools/testing/shared';

const tf = (modules: string[]) => modules.filter((m) => m.includes(`${path.sep}@tensorflow${path.sep}`));

describe('serving without TensorFlow.js', () => {
  it('@spert/onnx (runtime and export) and spert-serve load no @tensorflow/* module', () => {
    const onnx = loadedByBuiltEntry(path.join(repoRoot, 'packages/onnx/dist/index.cjs'));
    expect(onnx.some((m) => m.includes(`${path.sep}onnxruntime-node${path.sep}`))).toBe(true);
    expect(tf(onnx)).toEqual([]);
    const serve = loadedByBuiltEntry(path.join(repoRoot, 'apps/serve/dist/main.cjs'), ['--help']);
    expect(serve.some((m) => m.includes('fastify'))).toBe(true);
    expect(tf(serve)).toEqual([]);
  });

  it('the dependency closures of @spert/onnx and the service name no @tensorflow/* package', () => {
    for (const dir of ['packages/onnx', 'apps/serve']) {
      const closure = [...dependencyClosure(path.join(repoRoot, dir))];
      expect(closure).toContain('@spert/pipeline');
      expect(closure.filter((n) => n.startsWith('@tensorflow/'))).toEqual([]);
    }
  });

  it('the check is not vacuous: the TF.js model package does load TensorFlow.js', () => {
    expect(tf(loadedByBuiltEntry(path.join(repoRoot, 'packages/model/dist/index.cjs'))).length).toBeGreaterThan(0);
  });
});
