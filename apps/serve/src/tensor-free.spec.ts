// Serving needs no TensorFlow.js: the built onnxruntime adapter, spert-serve and spert-export load
// no @tensorflow/* module, and what installing them installs names none. The built entries are
// checked (this project's test target depends on its build), so the test sees what users run.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { dependencyClosure } from '../../../tools/testing/loaded-modules';
import { repoRoot } from '../../../tools/testing/shared';

/** Every module path Node loaded for a built entry, listed when the process exits (a CLI entry may exit on --help). */
function loadedByBuiltEntry(entry: string, argv: string[] = []): string[] {
  if (!existsSync(entry)) throw new Error(`${entry} is not built: run \`npx nx run-many -t build\` first (npm test builds before this test)`);
  const script = [
    `process.on('exit', () => require('node:fs').writeSync(3, JSON.stringify(Object.keys(require.cache))));`,
    `process.argv = [process.argv[0], ${JSON.stringify(entry)}, ...${JSON.stringify(argv)}];`,
    `require(${JSON.stringify(entry)});`,
  ].join('\n');
  const r = spawnSync(process.execPath, ['-e', script], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
  const listed = r.output[3];
  if (!listed) throw new Error(`${entry} ${argv.join(' ')}: exited ${r.status} without listing its modules: ${r.stderr}`);
  return JSON.parse(listed) as string[];
}

const tf = (modules: string[]) => modules.filter((m) => m.includes(`${path.sep}@tensorflow${path.sep}`));

describe('serving without TensorFlow.js', () => {
  it('@spert/onnx (runtime and export), spert-serve and spert-export load no @tensorflow/* module', () => {
    const onnx = loadedByBuiltEntry(path.join(repoRoot, 'packages/onnx/dist/index.cjs'));
    expect(onnx.some((m) => m.includes(`${path.sep}onnxruntime-node${path.sep}`))).toBe(true);
    expect(tf(onnx)).toEqual([]);
    const serve = loadedByBuiltEntry(path.join(repoRoot, 'apps/serve/dist/main.cjs'), ['--help']);
    expect(serve.some((m) => m.includes('fastify'))).toBe(true);
    expect(tf(serve)).toEqual([]);
    const exporter = loadedByBuiltEntry(path.join(repoRoot, 'apps/serve/dist/export-main.cjs'), ['--help']);
    expect(exporter.some((m) => m.includes(path.join('packages', 'checkpoint', 'dist')))).toBe(true);
    expect(tf(exporter)).toEqual([]);
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
