import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

// The apps' bin shims call runEntry; here a package laid out like an app runs it in a child process.
describe('runEntry (the apps\' bin shims)', () => {
  let pkg: string;
  const run = (...args: string[]) => spawnSync(process.execPath, [path.join(pkg, 'bin', 'app.js'), ...args], { encoding: 'utf8' });
  beforeEach(() => {
    pkg = mkdtempSync(path.join(tmpdir(), 'spert-bin-'));
    mkdirSync(path.join(pkg, 'bin'));
    writeFileSync(path.join(pkg, 'package.json'), '{"type": "module"}');
    const runEntry = pathToFileURL(path.resolve(__dirname, '..', 'run-entry.mjs')).href;
    writeFileSync(path.join(pkg, 'bin', 'app.js'), `import { runEntry } from '${runEntry}';\nawait runEntry(import.meta.url, 'main');\n`);
  });
  afterEach(() => rmSync(pkg, { recursive: true, force: true }));

  it('runs the built file in an installed package (no src/), passing the arguments', () => {
    mkdirSync(path.join(pkg, 'dist'));
    writeFileSync(path.join(pkg, 'dist', 'main.cjs'), "console.log('dist', process.argv.slice(2).join(' '));\n");
    const r = run('--a', 'b');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('dist --a b\n');
  });

  it('runs the TypeScript source through tsx in a clone, even when a (possibly stale) build exists', () => {
    mkdirSync(path.join(pkg, 'dist'));
    writeFileSync(path.join(pkg, 'dist', 'main.cjs'), "console.log('stale dist');\n");
    mkdirSync(path.join(pkg, 'src'));
    writeFileSync(path.join(pkg, 'tsconfig.json'), '{"compilerOptions": {"strict": true}}');
    writeFileSync(path.join(pkg, 'src', 'main.ts'), "const n: number = 2;\nconsole.log(`source ${n} ${process.argv.slice(2).join(' ')}`);\n");
    const r = run('x');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('source 2 x\n');
  });

  it('says what to do when there is neither a build nor a source', () => {
    const r = run();
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/found neither .*dist\/main\.cjs nor tsx to run .*src\/main\.ts; in a clone run `npm ci`/);
  });
});
