// Exporting needs no TensorFlow.js: the built spert-export loads no @tensorflow/* module (it reads
// checkpoints through @spert/checkpoint's tensor-free half), and what installing it installs
// names none. The built entry is checked (this project's test target depends on its build).
import * as path from 'node:path';
import { dependencyClosure, loadedByBuiltEntry } from '../../../tools/testing/loaded-modules';
import { repoRoot } from '../../../tools/testing/shared';

const tf = (modules: string[]) => modules.filter((m) => m.includes(`${path.sep}@tensorflow${path.sep}`));

describe('spert-export without TensorFlow.js', () => {
  it('loads no @tensorflow/* module, and does load the tensor-free checkpoint readers', () => {
    const exporter = loadedByBuiltEntry(path.join(repoRoot, 'apps/export/dist/main.cjs'), ['--help']);
    expect(exporter.some((m) => m.includes(path.join('packages', 'checkpoint', 'dist')))).toBe(true);
    expect(tf(exporter)).toEqual([]);
  });

  it('its dependency closure names no @tensorflow/* package', () => {
    const closure = [...dependencyClosure(path.join(repoRoot, 'apps/export'))];
    expect(closure).toContain('@spert/onnx');
    expect(closure.filter((n) => n.startsWith('@tensorflow/'))).toEqual([]);
  });
});
