// Tests of the package tools: README parsing (install command, runnable examples), the example's
// module forms, link rewriting, and the metadata check on fixture workspaces in a temp folder.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { asCommonJs, asJavaScriptModule, asTypeScriptCommonJs } from './example-forms';
import { absolutizeLinks, checkMetadata, markdownLinks } from './metadata';
import { installLine, listPackages, runnableExamples, WORKSPACE_ROOT, workspaceClosure } from './workspace';

const fence = '```';

describe('README parsing', () => {
  it('finds the install command with its environment, skipping shell blocks without @spert packages', () => {
    const md = [
      '# x',
      `${fence}sh`,
      'npm install -g something',
      `${fence}`,
      `${fence}sh`,
      'ONNXRUNTIME_NODE_INSTALL=skip npm install @spert/onnx @spert/core@0.1.0 --save  # the runtime',
      `${fence}`,
    ].join('\n');
    expect(installLine(md)).toEqual({ packages: ['@spert/onnx', '@spert/core@0.1.0'], env: { ONNXRUNTIME_NODE_INSTALL: 'skip' }, line: 6 });
    expect(installLine('no code here')).toBeUndefined();
  });

  it('takes TypeScript blocks that import a package as examples, not signature listings', () => {
    const md = [
      `${fence}ts`,
      'createEncoder(o: { config: EncoderConfig }): Encoder;',
      `${fence}`,
      `${fence}ts`,
      "import * as path from 'node:path';",
      "import { readTypes } from '@spert/core';",
      "import type { Document } from '@spert/core';",
      'console.log(path.sep, readTypes);',
      `${fence}`,
      `${fence}html`,
      "<script type=\"module\">import { loadSpert } from './spert-web.js';</script>",
      `${fence}`,
    ].join('\n');
    const examples = runnableExamples(md);
    expect(examples).toHaveLength(1);
    expect(examples[0]).toMatchObject({ index: 1, line: 4, imports: ['@spert/core', '@spert/core'] });
  });
});

describe('example forms', () => {
  const code = ["import { readFile } from 'node:fs/promises';", "import type { Document } from '@spert/core';", "const doc: Document = JSON.parse(await readFile('d.json', 'utf8'));", 'console.log(JSON.stringify(doc.tokens));'].join('\n');

  it('keeps the ES module as printed, types stripped', () => {
    const js = asJavaScriptModule(code);
    expect(js).toContain("import { readFile } from 'node:fs/promises';");
    expect(js).toContain('await readFile');
    expect(js).not.toContain('@spert/core'); // a type-only import leaves nothing at run time
  });

  it('runs the body of the CommonJS form in an async main, the imports as require()', () => {
    const cts = asTypeScriptCommonJs(code);
    expect(cts.indexOf("import { readFile }")).toBeLessThan(cts.indexOf('async function main'));
    expect(cts).toMatch(/async function main\(\): Promise<void> \{\nconst doc: Document/);
    const cjs = asCommonJs(code);
    expect(cjs).toContain('require("node:fs/promises")');
    expect(cjs).toContain('main().catch(');
    // the CommonJS form runs: node accepts it without top-level await
    const dir = mkdtempSync(path.join(os.tmpdir(), 'spert-forms-'));
    try {
      writeFileSync(path.join(dir, 'd.json'), JSON.stringify({ tokens: ['a', 'b'] }));
      writeFileSync(path.join(dir, 'x.cjs'), cjs);
      expect(execFileSync('node', ['x.cjs'], { cwd: dir, encoding: 'utf8' }).trim()).toBe('["a","b"]');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('links', () => {
  it('lists links outside code, and rewrites relative ones to the repository', () => {
    const md = ['See [the guide](../../docs/user-guide.md#install) and [a sibling](../core).', `${fence}`, '[not a link](../x)', `${fence}`, '[web](https://example.org) [anchor](#api)'].join('\n');
    expect(markdownLinks(md).map((l) => `${l.line}:${l.url}`)).toEqual(['1:../../docs/user-guide.md#install', '1:../core', '5:https://example.org', '5:#api']);
    const { text, changed } = absolutizeLinks(md, 'packages/onnx', WORKSPACE_ROOT);
    expect(changed).toBe(2);
    expect(text).toContain('(https://github.com/spert-ts/spert-ts/blob/main/docs/user-guide.md#install)');
    expect(text).toContain('(https://github.com/spert-ts/spert-ts/tree/main/packages/core)');
    expect(text).toContain('[not a link](../x)');
  });
});

describe('workspace', () => {
  it('finds every package and app through the workspaces globs, with their @spert dependencies', () => {
    const packages = listPackages();
    const names = packages.map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(['@spert/core', '@spert/onnx', '@spert/serve-app']));
    expect(workspaceClosure(['@spert/onnx'], packages)).toEqual(expect.arrayContaining(['@spert/onnx', '@spert/pipeline', '@spert/core']));
    expect(workspaceClosure(['@spert/onnx'], packages)).not.toContain('@spert/model');
  });
});

describe('metadata check', () => {
  let root: string;
  const rootManifest = {
    name: 'fixture',
    private: true,
    license: 'MIT',
    repository: { type: 'git', url: 'git+https://github.com/o/r.git' },
    engines: { node: '>=20' },
    workspaces: ['packages/*'],
  };
  const complete = {
    name: '@spert/thing',
    version: '0.1.0',
    description: 'A thing for the tests of the check',
    license: 'MIT',
    repository: { type: 'git', url: 'git+https://github.com/o/r.git', directory: 'packages/thing' },
    homepage: 'https://github.com/o/r/tree/main/packages/thing#readme',
    bugs: { url: 'https://github.com/o/r/issues' },
    engines: { node: '>=20' },
    publishConfig: { access: 'public' },
    keywords: ['spert'],
    sideEffects: false,
    files: ['dist'],
    exports: { '.': { import: { types: './dist/index.d.ts', default: './dist/index.js' }, require: { types: './dist/index.d.cts', default: './dist/index.cjs' } } },
  };
  const readme = ['# @spert/thing', `${fence}sh`, 'npm install @spert/thing', `${fence}`, 'API: [thing](https://github.com/o/r/blob/main/docs/api/thing.md)', ''].join('\n');

  function workspace(manifest: Record<string, unknown>, readmeText = readme): void {
    rmSync(root, { recursive: true, force: true });
    mkdirSync(path.join(root, 'packages/thing'), { recursive: true });
    writeFileSync(path.join(root, 'package.json'), JSON.stringify(rootManifest));
    writeFileSync(path.join(root, 'LICENSE'), 'MIT License\n');
    copyFileSync(path.join(root, 'LICENSE'), path.join(root, 'packages/thing/LICENSE'));
    writeFileSync(path.join(root, 'packages/thing/package.json'), JSON.stringify(manifest));
    writeFileSync(path.join(root, 'packages/thing/README.md'), readmeText);
  }

  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'spert-meta-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('passes a complete package', () => {
    workspace(complete);
    expect(checkMetadata(root).problems).toEqual([]);
  });

  it('names the package and each missing field', () => {
    const { repository: _r, keywords: _k, sideEffects: _s, publishConfig: _p, ...rest } = complete;
    workspace(rest);
    const messages = checkMetadata(root).problems.map((p) => `${p.project} ${p.file}: ${p.message}`);
    expect(messages).toEqual([
      expect.stringMatching(/^@spert\/thing packages\/thing\/package.json: "repository" is missing: set "repository": \{"type":"git","url":"git\+https:\/\/github.com\/o\/r.git","directory":"packages\/thing"\}/),
      expect.stringMatching(/"publishConfig" is missing: set "publishConfig": \{"access":"public"\}/),
      expect.stringMatching(/"keywords" is missing/),
      expect.stringMatching(/"sideEffects" is missing/),
    ]);
  });

  it('refuses relative README links, a missing install command, a missing API link and a LICENSE that differs', () => {
    workspace(complete, '# @spert/thing\n\nSee [it](../thing).\n');
    writeFileSync(path.join(root, 'packages/thing/LICENSE'), 'another license\n');
    const messages = checkMetadata(root).problems.map((p) => p.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        'LICENSE differs from the root LICENSE: copy it again',
        expect.stringContaining('no install command'),
        expect.stringContaining('does not link its API reference: add a link to https://github.com/o/r/blob/main/docs/api/thing.md'),
        expect.stringContaining('line 3: relative link "../thing" breaks on the registry page: use https://github.com/o/r/tree/main/packages/thing'),
      ]),
    );
  });

  it('checks the real workspace clean', () => {
    const { problems } = checkMetadata();
    expect(problems.map((p) => `${p.file}: ${p.message}`)).toEqual([]);
    expect(readFileSync(path.join(WORKSPACE_ROOT, 'packages/core/LICENSE'), 'utf8')).toBe(readFileSync(path.join(WORKSPACE_ROOT, 'LICENSE'), 'utf8'));
  });
});
