import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkWorkspace, formatProblem, importsOf, type Problem } from './manifests';

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'spert-manifests-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

type Tree = Record<string, string | object>;

function write(files: Tree): void {
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(root, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
}

function manifest(name: string, tags: string[], blocks: Record<string, Record<string, string>> = {}): object {
  return { name, version: '0.1.0', nx: { tags }, ...blocks };
}

/** A small clean workspace: a tensor-free core, a tfjs package, a serving package, an app. */
function cleanWorkspace(): Tree {
  return {
    'package.json': { name: 'ws', private: true, workspaces: ['packages/*', 'apps/*'] },
    'packages/core/package.json': manifest('@x/core', ['scope:tensor-free', 'type:package'], { dependencies: { zod: '^4' } }),
    'packages/core/src/index.ts': "import { z } from 'zod';\nimport * as fs from 'node:fs';\nimport * as p from 'path';\nexport const v = [z, fs, p];\n",
    'packages/core/src/index.spec.ts': "import { v } from './index';\nimport { sharedPath } from '../../../tools/testing/shared';\ntest('x', () => expect([v, sharedPath]).toBeTruthy());\n",
    'packages/tf/package.json': manifest('@x/tf', ['scope:tfjs', 'type:package'], {
      dependencies: { '@x/core': '0.1.0', '@tensorflow/tfjs-core': '4.22.0' },
    }),
    'packages/tf/src/index.ts': "import type { v } from '@x/core';\nimport * as tf from '@tensorflow/tfjs-core';\nexport type V = typeof v;\nexport const t = tf;\n",
    'packages/srv/package.json': manifest('@x/srv', ['scope:serving', 'type:package'], {
      dependencies: { '@x/core': '0.1.0', 'onnxruntime-node': '^1' },
      devDependencies: { '@x/tf': '0.1.0' },
    }),
    'packages/srv/src/index.ts': "export * from '@x/core';\nexport const ort = () => import('onnxruntime-node');\n",
    'packages/srv/src/parity.spec.ts': "import { t } from '@x/tf';\ntest('x', () => expect(t).toBeTruthy());\n",
    'apps/web/package.json': manifest('@x/web', ['scope:serving', 'type:app'], { dependencies: { '@x/srv': '0.1.0' } }),
    'apps/web/src/main.ts': "const srv = require('@x/srv');\nexport default srv;\n",
    'apps/web/test/helper.ts': "export { ort } from '@x/srv';\nexport { sharedPath } from '../../../tools/testing/shared';\n",
    'node_modules/zod/package.json': { name: 'zod', version: '4.0.0' },
    'node_modules/onnxruntime-node/package.json': { name: 'onnxruntime-node', version: '1.0.0', dependencies: { 'onnxruntime-common': '1' } },
    'node_modules/onnxruntime-common/package.json': { name: 'onnxruntime-common', version: '1.0.0' },
    'node_modules/@tensorflow/tfjs-core/package.json': { name: '@tensorflow/tfjs-core', version: '4.22.0' },
  };
}

function check(allowlist?: object): ReturnType<typeof checkWorkspace> {
  const file = path.join(root, 'tools/lint/known-violations.json');
  if (allowlist) write({ 'tools/lint/known-violations.json': allowlist });
  return checkWorkspace(root, file);
}

function only(problems: Problem[]): Problem {
  expect(problems.map(formatProblem)).toHaveLength(1);
  return problems[0];
}

describe('importsOf', () => {
  it('finds imports, type-only imports, re-exports, require, dynamic and type-position import() with their lines', () => {
    const text = [
      "import a from 'a';",
      "import type { B } from '@b/b/sub';",
      "export { c } from 'c';",
      "export type { D } from 'd';",
      "const e = require('e');",
      'async function f() { return import("f"); }',
      "type G = typeof import('g');",
      "import 'h';",
    ].join('\n');
    expect(importsOf(text)).toEqual([
      { specifier: 'a', line: 1 },
      { specifier: '@b/b/sub', line: 2 },
      { specifier: 'c', line: 3 },
      { specifier: 'd', line: 4 },
      { specifier: 'e', line: 5 },
      { specifier: 'f', line: 6 },
      { specifier: 'g', line: 7 },
      { specifier: 'h', line: 8 },
    ]);
  });
});

describe('checkWorkspace', () => {
  it('passes a workspace whose manifests match its imports', () => {
    write(cleanWorkspace());
    const result = check();
    expect(result.problems.map(formatProblem)).toEqual([]);
    expect(result.projects.map((p) => p.name)).toEqual(['@x/web', '@x/core', '@x/srv', '@x/tf']);
  });

  it('reports an import that package.json does not list, at its file and line', () => {
    write({ ...cleanWorkspace(), 'packages/core/src/extra.ts': "// why\nimport { parse } from 'yaml/dist';\nexport const y = parse;\n" });
    const p = only(check().problems);
    expect(p).toMatchObject({ rule: 'missing-dependency', project: '@x/core', place: 'yaml', file: 'packages/core/src/extra.ts', line: 2 });
    expect(formatProblem(p)).toBe(
      'packages/core/src/extra.ts:2: [missing-dependency] @x/core: imports "yaml/dist", which packages/core/package.json does not list: add "yaml" to "dependencies".',
    );
  });

  it('reports a type-only import of an unlisted package like any other', () => {
    write({ ...cleanWorkspace(), 'packages/core/src/types.ts': "import type { Z } from '@types-only/z';\nexport type Y = Z;\n" });
    expect(only(check().problems)).toMatchObject({ rule: 'missing-dependency', place: '@types-only/z', line: 1 });
  });

  it('tells to move a devDependency that non-test source imports into dependencies', () => {
    const tree = cleanWorkspace();
    write({ ...tree, 'packages/srv/src/uses-tf.ts': "export { t } from '@x/tf';\n" });
    const p = only(check().problems.filter((x) => x.rule !== 'tensor-closure'));
    expect(p.rule).toBe('missing-dependency');
    expect(p.message).toContain('lists "@x/tf" only in "devDependencies": move it to "dependencies"');
  });

  it('reports an unused dependency', () => {
    const tree = cleanWorkspace();
    tree['packages/core/package.json'] = manifest('@x/core', ['scope:tensor-free', 'type:package'], { dependencies: { zod: '^4', lodash: '^4' } });
    write(tree);
    const p = only(check().problems);
    expect(p).toMatchObject({ rule: 'unused-dependency', project: '@x/core', place: 'lodash', file: 'packages/core/package.json' });
    expect(p.message).toBe('"lodash" is in "dependencies" but no source file under packages/core/src imports it: remove it.');
  });

  it('reports a dependency that only specs import, naming the spec and asking to move it to devDependencies', () => {
    const tree = cleanWorkspace();
    tree['packages/core/package.json'] = manifest('@x/core', ['scope:tensor-free', 'type:package'], { dependencies: { zod: '^4', 'fast-check': '^3' } });
    tree['packages/core/src/prop.spec.ts'] = "import fc from 'fast-check';\ntest('p', () => expect(fc).toBeTruthy());\n";
    write(tree);
    const p = only(check().problems);
    expect(p).toMatchObject({ rule: 'test-only-dependency', place: 'fast-check' });
    expect(p.message).toBe(
      '"fast-check" is in "dependencies" but only test code imports it (packages/core/src/prop.spec.ts:1): move it to "devDependencies".',
    );
  });

  it('counts src/testing/ helpers as test code', () => {
    const tree = cleanWorkspace();
    tree['packages/core/src/testing/fake.ts'] = "import fc from 'fast-check';\nexport const arb = fc;\n";
    write(tree);
    const p = only(check().problems);
    expect(p).toMatchObject({ rule: 'missing-dev-dependency', place: 'fast-check', file: 'packages/core/src/testing/fake.ts', line: 1 });
    expect(p.message).toContain('add "fast-check" to "devDependencies"');
  });

  it('reports non-test source that imports a test-only file', () => {
    write({ ...cleanWorkspace(), 'packages/core/src/testing/fake.ts': 'export const f = 1;\n', 'packages/core/src/uses.ts': "export { f } from './testing/fake';\n" });
    expect(only(check().problems)).toMatchObject({ rule: 'production-imports-test-file', place: 'src/uses.ts -> ./testing/fake' });
  });

  it('reports relative imports that leave the project, allowing tools/testing only in specs and test/', () => {
    write({
      ...cleanWorkspace(),
      'packages/core/src/testing/ref.ts': "export { erf } from '../../../../tools/testing/float64';\n",
      'packages/core/src/reach.ts': "import { t } from '../../tf/src/index';\nexport const r = t;\n",
    });
    const problems = check().problems;
    expect(problems.map((p) => [p.rule, p.place])).toEqual([
      ['import-outside-project', 'src/reach.ts -> ../../tf/src/index'],
      ['import-outside-project', 'src/testing/ref.ts -> ../../../../tools/testing/float64'],
    ]);
    expect(problems[0].message).toContain('imports "../../tf/src/index" (packages/tf/src/index), outside packages/core/');
  });

  it('reports a serving package whose dependency closure installs TensorFlow.js, with the chain', () => {
    const tree = cleanWorkspace();
    tree['packages/srv/package.json'] = manifest('@x/srv', ['scope:serving', 'type:package'], {
      dependencies: { '@x/core': '0.1.0', 'onnxruntime-node': '^1', '@x/tf': '0.1.0' },
    });
    tree['packages/srv/src/index.ts'] = "export * from '@x/core';\nexport { t } from '@x/tf';\nexport const ort = () => import('onnxruntime-node');\n";
    write(tree);
    const problems = check().problems;
    expect(problems.map((p) => [p.rule, p.project, p.place])).toEqual([
      ['tensor-closure', '@x/web', '@x/srv'],
      ['tensor-closure', '@x/srv', '@x/tf'],
    ]);
    expect(problems[1].message).toContain('installing it must not install @tensorflow/tfjs-core, but @x/srv -> @x/tf -> @tensorflow/tfjs-core');
    expect(problems[0].message).toContain('@x/web -> @x/srv -> @x/tf -> @tensorflow/tfjs-core');
  });

  it('follows installed third-party packages and bans onnxruntime from tensor-free closures', () => {
    const tree = cleanWorkspace();
    tree['node_modules/zod/package.json'] = { name: 'zod', version: '4.0.0', dependencies: { helper: '1' } };
    tree['node_modules/helper/package.json'] = { name: 'helper', version: '1.0.0', peerDependencies: { 'onnxruntime-node': '1' } };
    write(tree);
    const p = only(check().problems);
    expect(p).toMatchObject({ rule: 'tensor-closure', project: '@x/core', place: 'zod' });
    expect(p.message).toContain('@x/core -> zod -> helper -> onnxruntime-node');
  });

  it('does not follow optional peers (npm does not install them)', () => {
    const tree = cleanWorkspace();
    tree['node_modules/zod/package.json'] = {
      name: 'zod',
      version: '4.0.0',
      peerDependencies: { '@tensorflow/tfjs-core': '4' },
      peerDependenciesMeta: { '@tensorflow/tfjs-core': { optional: true } },
    };
    write(tree);
    expect(check().problems).toEqual([]);
  });

  it('requires one scope tag and the type tag of the folder', () => {
    const tree = cleanWorkspace();
    tree['packages/core/package.json'] = { name: '@x/core', dependencies: { zod: '^4' } };
    tree['apps/web/package.json'] = manifest('@x/web', ['scope:serving', 'type:package'], { dependencies: { '@x/srv': '0.1.0' } });
    write(tree);
    const problems = check().problems;
    expect(problems.map((p) => [p.project, p.rule, p.place])).toEqual([
      ['@x/web', 'tags', 'type'],
      ['@x/core', 'tags', 'scope'],
      ['@x/core', 'tags', 'type'],
    ]);
    expect(problems[0].message).toBe('"nx": {"tags": [...]} must hold exactly one type tag, "type:app" for apps/web/ (has type:package).');
  });

  it('lets an allowlisted violation through and fails on an entry that no longer occurs', () => {
    write({ ...cleanWorkspace(), 'packages/core/src/extra.ts': "export * from 'yaml';\n" });
    const result = check({
      violations: [
        { rule: 'missing-dependency', project: '@x/core', place: 'yaml', reason: 'being removed' },
        { rule: 'unused-dependency', project: '@x/core', place: 'lodash', reason: 'was removed already' },
      ],
    });
    expect(result.allowed.map((p) => p.place)).toEqual(['yaml']);
    const p = only(result.problems);
    expect(formatProblem(p)).toBe(
      'tools/lint/known-violations.json: [stale-allowlist-entry] @x/core: entry 1 (unused-dependency in @x/core at "lodash") no longer occurs: remove it from the allowlist.',
    );
  });

  it('rejects allowlist entries without a reason or with an unknown rule', () => {
    write(cleanWorkspace());
    const result = check({
      violations: [
        { rule: 'missing-dependency', project: '@x/core', place: 'yaml' },
        { rule: 'no-such-rule', project: '@x/core', place: 'yaml', reason: 'r' },
      ],
    });
    expect(result.problems.map((p) => [p.rule, p.place])).toEqual([
      ['bad-allowlist-entry', 'violations[0]'],
      ['bad-allowlist-entry', 'violations[1]'],
    ]);
    expect(result.problems[0].message).toBe('violations[0] needs non-empty string field(s) reason.');
  });

  it('names the file of an unreadable package.json', () => {
    write({ ...cleanWorkspace(), 'packages/tf/package.json': '{ "name": ' });
    expect(() => check()).toThrow(/project manifest: .*packages\/tf\/package.json is not valid JSON/);
  });
});

describe('check-manifests CLI', () => {
  it('prints each problem and exits 1, or says OK and exits 0', () => {
    const run = () =>
      spawnSync(process.execPath, [require.resolve('tsx/cli'), path.join(__dirname, 'check-manifests.ts'), root], { encoding: 'utf8' });
    write(cleanWorkspace());
    const ok = run();
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('check-manifests: 4 projects OK');
    write({ 'packages/core/src/extra.ts': "export * from 'yaml';\n" });
    const bad = run();
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('packages/core/src/extra.ts:1: [missing-dependency] @x/core: imports "yaml"');
    expect(bad.stderr).toContain('check-manifests: 1 problem(s) in 4 projects');
  });
});
