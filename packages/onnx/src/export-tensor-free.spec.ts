// The export half of @spert/onnx must run without TensorFlow.js (and without onnxruntime, which
// only the runtime needs): it reads checkpoints through @spert/checkpoint.
import * as path from 'node:path';
import { loadedModules } from '../../../tools/testing/loaded-modules';

it('exportSpertOnnx loads no @tensorflow/* or onnxruntime module', () => {
  const modules = loadedModules(path.join(__dirname, 'export-model.ts'));
  expect(modules.some((m) => m.includes(path.join('checkpoint', 'src', 'checkpoint.ts')))).toBe(true);
  expect(modules.filter((m) => /[\\/]node_modules[\\/](@tensorflow[\\/]|onnxruntime)/.test(m))).toEqual([]);
});
