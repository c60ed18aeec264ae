// The consumer test (issue 27): every package and app as a user installs it. Packs each workspace
// project once, then for each one alone creates a fresh project in a temporary folder, installs
// what its README's install command names (the @spert/* tarballs come from the pack, third-party
// packages from npm's cache or the registry) and checks, on that installed tree:
//   - the package loads through `import` and through `require` (a dependency its build imports
//     but its package.json does not declare fails here);
//   - every runnable README example runs as an ES module and as CommonJS;
//   - every example type-checks (`tsc --noEmit`, strict) as a TypeScript consumer with
//     moduleResolution node16 (ESM and CommonJS files) and bundler;
//   - an install without TF.js packages (serving, tensor-free) holds no @tensorflow/* package, a
//     tensor-free one no onnxruntime-* either;
//   - an app's bins answer --help.
// It prints one summary line per project and, with --sizes FILE, rewrites that file's size table.
//
//   npx tsx tools/packages/consumer-test.ts [--only core,onnx] [--concurrency 2] [--keep] [--sizes docs/packages.md]
//   (SPERT_CONSUMER_ONLY=core,onnx and SPERT_CONSUMER_CONCURRENCY=1 do the same through nx)
//
// Needs the builds (`npx nx run-many -t build`); the nx target `package-tools:test` runs them first.
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sharedRoot } from '../../tools/testing/shared';
import { asCommonJs, asJavaScriptModule, asTypeScriptCommonJs, asTypeScriptModule } from './example-forms';
import { consumerOptions, typecheck, type Resolution } from './typecheck';
import {
  installLine,
  listPackages,
  readReadme,
  runnableExamples,
  WORKSPACE_ROOT,
  workspaceClosure,
  type PackageInfo,
} from './workspace';

interface Options {
  only?: string[];
  concurrency: number;
  keep: boolean;
  sizes?: string;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { concurrency: Number(process.env.SPERT_CONSUMER_CONCURRENCY ?? 2), keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--only') o.only = value().split(',').map((s) => s.trim()).filter(Boolean);
    else if (a === '--concurrency') o.concurrency = Number(value());
    else if (a === '--keep') o.keep = true;
    else if (a === '--sizes') o.sizes = value();
    else throw new Error(`unknown argument ${a}; usage: consumer-test.ts [--only core,onnx] [--concurrency N] [--keep] [--sizes FILE]`);
  }
  // Through nx (`nx run package-tools:test`) arguments do not reach the script; the variable does.
  if (!o.only && process.env.SPERT_CONSUMER_ONLY) o.only = process.env.SPERT_CONSUMER_ONLY.split(',').map((s) => s.trim()).filter(Boolean);
  if (!Number.isInteger(o.concurrency) || o.concurrency < 1) throw new Error(`--concurrency must be a positive integer, got ${o.concurrency}`);
  return o;
}

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut: boolean;
}

/** The environment of a child process: npm's own variables of the `npm test` around us removed. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    // npm passes its config to scripts as npm_config_*; a nested npm would take the workspace's
    // prefix and workspaces from them. Keep only where the cache and registry are.
    if (/^npm_/i.test(k) && !/^npm_config_(cache|registry|userconfig)$/i.test(k)) continue;
    if (k === 'INIT_CWD' || k.startsWith('NX_')) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

function run(cmd: string, args: string[], o: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number }): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: o.cwd, env: o.env ?? cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, o.timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started, timedOut });
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: -1, stdout, stderr: `${stderr}${e.message}`, ms: Date.now() - started, timedOut });
    });
  });
}

function tail(text: string, lines = 30): string {
  const all = text.trimEnd().split('\n');
  return (all.length > lines ? [`... (${all.length - lines} lines above)`, ...all.slice(-lines)] : all).map((l) => `    ${l}`).join('\n');
}

function kb(bytes: number): string {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} kB`;
}

interface Packed {
  name: string;
  file: string;
  size: number;
  unpackedSize: number;
  files: string[];
}

async function packAll(packages: PackageInfo[], dir: string): Promise<Map<string, Packed>> {
  const r = await run('npm', ['pack', '--workspaces', '--json', '--pack-destination', dir, '--loglevel=error'], {
    cwd: WORKSPACE_ROOT,
    timeoutMs: 300_000,
  });
  if (r.code !== 0) throw new Error(`npm pack --workspaces failed (exit ${r.code}):\n${tail(r.stderr || r.stdout)}`);
  const start = r.stdout.indexOf('[');
  const json = JSON.parse(r.stdout.slice(start)) as Array<{ name: string; filename: string; size: number; unpackedSize: number; files: Array<{ path: string }> }>;
  const packed = new Map(
    json.map((p) => [p.name, { name: p.name, file: path.join(dir, p.filename), size: p.size, unpackedSize: p.unpackedSize, files: p.files.map((f) => f.path) }]),
  );
  const missing = packages.filter((p) => !packed.has(p.name)).map((p) => p.name);
  if (missing.length) throw new Error(`npm pack --workspaces packed no tarball for ${missing.join(', ')}`);
  return packed;
}

/** Bytes on disk (files and symlinks, not followed) and packages under a node_modules tree. */
function treeSize(dir: string): { bytes: number; packages: number } {
  let bytes = 0;
  let packages = 0;
  const walk = (d: string, inNodeModules: boolean) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) {
        if (inNodeModules && !entry.name.startsWith('@') && !entry.name.startsWith('.') && existsSync(path.join(p, 'package.json'))) packages++;
        walk(p, entry.name === 'node_modules' || (inNodeModules && entry.name.startsWith('@')));
      } else {
        bytes += lstatSync(p).size;
      }
    }
  };
  walk(dir, true);
  return { bytes, packages };
}

/** Installed package folders (`node_modules/<name>`, at any depth) whose name matches. */
function findInstalled(nodeModules: string, match: (name: string) => boolean): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const names = entry.name.startsWith('@')
        ? readdirSync(path.join(dir, entry.name), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => `${entry.name}/${e.name}`)
        : [entry.name];
      for (const name of names) {
        const pkgDir = path.join(dir, name);
        if (match(name)) found.push(path.relative(nodeModules, pkgDir));
        walk(path.join(pkgDir, 'node_modules'));
      }
    }
  };
  walk(nodeModules);
  return found.sort();
}

interface ProjectReport {
  name: string;
  ok: boolean;
  line: string;
  failures: string[];
  packed?: Packed;
  installed?: { bytes: number; packages: number };
  installSet: string[];
}

const typeRoots = [path.join(WORKSPACE_ROOT, 'node_modules/@types')];

/** The version a workspace manifest asks for a third-party package, for installs from npm's cache. */
function workspaceRange(name: string, packages: PackageInfo[]): string | undefined {
  for (const p of packages) {
    const m = p.manifest;
    const v = m.dependencies?.[name] ?? m.peerDependencies?.[name] ?? m.devDependencies?.[name];
    if (v) return v;
  }
  return undefined;
}

async function testProject(p: PackageInfo, packages: PackageInfo[], packed: Map<string, Packed>, base: string): Promise<ProjectReport> {
  const started = Date.now();
  const failures: string[] = [];
  const report: ProjectReport = { name: p.name, ok: false, line: '', failures, installSet: [] };
  const readme = readReadme(WORKSPACE_ROOT, p);
  const where = `${p.root}/README.md`;
  const install = readme ? installLine(readme) : undefined;
  if (!readme || !install) {
    failures.push(`${where}: no install command (a \`\`\`sh block with \`npm install ${p.name}\`): the consumer test installs what it names`);
    report.line = `${p.name}: FAILED (no install command in README)`;
    return report;
  }
  const specs = install.packages.map((s) => {
    const at = s.lastIndexOf('@');
    return at > 0 ? { name: s.slice(0, at), range: s.slice(at + 1) } : { name: s, range: undefined };
  });
  if (specs[0]?.name !== p.name) {
    failures.push(`${where}:${install.line}: the install command must start with ${p.name}, got "${install.packages.join(' ')}"`);
  }
  report.installSet = specs.map((s) => s.name);
  const spert = specs.filter((s) => s.name.startsWith('@spert/')).map((s) => s.name);
  const unknown = spert.filter((n) => !packed.has(n));
  if (unknown.length) failures.push(`${where}:${install.line}: installs ${unknown.join(', ')}, which no workspace project is`);
  const closure = workspaceClosure(spert, packages);
  const dir = path.join(base, `${p.kind}-${p.folder}`);
  mkdirSync(dir, { recursive: true });
  symlinkSync(sharedRoot, path.join(dir, 'shared'));
  const fileSpec = (name: string) => `file:${path.relative(dir, packed.get(name)!.file)}`;
  const dependencies = Object.fromEntries(
    specs.map((s) => [s.name, s.name.startsWith('@spert/') ? fileSpec(s.name) : (s.range ?? workspaceRange(s.name, packages) ?? 'latest')]),
  );
  const manifest = {
    name: `consumer-of-${p.folder}`,
    version: '0.0.0',
    private: true,
    description: `${p.name} installed alone, as a user would`,
    dependencies,
    // The tarballs' own @spert/* dependencies come from the pack too, never from the registry.
    overrides: Object.fromEntries(closure.map((n) => [n, fileSpec(n)])),
  };
  writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);

  const env = cleanEnv(install.env);
  const inst = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, env, timeoutMs: 600_000 });
  const parts: string[] = [`install ${(inst.ms / 1000).toFixed(1)} s`];
  if (inst.code !== 0) {
    failures.push(`npm install ${install.packages.join(' ')} failed (exit ${inst.code}${inst.timedOut ? ', timed out' : ''}):\n${tail(inst.stderr || inst.stdout)}`);
    report.line = `${p.name}: FAILED at install`;
    return report;
  }
  report.packed = packed.get(p.name);
  report.installed = treeSize(path.join(dir, 'node_modules'));
  // What the tarball holds: the license and README a registry shows, no sources or tests.
  const packedFiles = report.packed?.files ?? [];
  const absent = ['package.json', 'README.md', 'LICENSE'].filter((f) => !packedFiles.includes(f));
  if (absent.length) failures.push(`the tarball of ${p.name} lacks ${absent.join(', ')}`);
  const leaked = packedFiles.filter((f) => /(^|\/)src\/|\.spec\.[cm]?[jt]s$/.test(f));
  if (leaked.length) failures.push(`the tarball of ${p.name} holds sources or tests: ${leaked.slice(0, 5).join(', ')}${leaked.length > 5 ? ', ...' : ''}`);

  // What the install may not contain, by the scopes of the projects it installs.
  const installedTags = closure.flatMap((n) => packages.find((q) => q.name === n)?.tags ?? []);
  const thirdParty = specs.filter((s) => !s.name.startsWith('@spert/')).map((s) => s.name);
  const nodeModules = path.join(dir, 'node_modules');
  if (!installedTags.includes('scope:tfjs') && !thirdParty.some((n) => n.startsWith('@tensorflow/'))) {
    const tf = findInstalled(nodeModules, (n) => n.startsWith('@tensorflow/'));
    if (tf.length) failures.push(`installing ${install.packages.join(' ')} (no TF.js package) installed ${tf.join(', ')}`);
    else parts.push('no @tensorflow/*');
  }
  if (installedTags.length && installedTags.every((t) => t !== 'scope:tfjs' && t !== 'scope:serving')) {
    const ort = findInstalled(nodeModules, (n) => n.startsWith('onnxruntime-'));
    if (ort.length) failures.push(`installing ${install.packages.join(' ')} (tensor-free) installed ${ort.join(', ')}`);
    else parts.push('no onnxruntime-*');
  }

  // Every installed @spert package loads both ways (its build's imports are all declared).
  const loads = spert.map((n) => JSON.stringify(n)).join(', ');
  const esmLoad = await run('node', ['--input-type=module', '-e', `for (const n of [${loads}]) { const m = await import(n); if (!Object.keys(m).length) throw new Error(n + ' exports nothing'); }`], { cwd: dir, timeoutMs: 120_000 });
  const cjsLoad = await run('node', ['-e', `for (const n of [${loads}]) { const m = require(n); if (!Object.keys(m).length) throw new Error(n + ' exports nothing'); }`], { cwd: dir, timeoutMs: 120_000 });
  for (const [form, r] of [['import', esmLoad], ['require', cjsLoad]] as const) {
    if (r.code !== 0) failures.push(`${form} of ${spert.join(', ')} failed:\n${tail(r.stderr || r.stdout)}`);
  }
  if (esmLoad.code === 0 && cjsLoad.code === 0) parts.push('import+require');

  // README examples, run as written in both module systems, and type-checked.
  const examples = p.kind === 'package' ? runnableExamples(readme) : [];
  if (p.kind === 'package' && examples.length === 0) {
    failures.push(`${where}: no runnable example (a \`\`\`ts block that imports ${p.name})`);
  }
  const tsFiles: { mts: string[]; cts: string[] } = { mts: [], cts: [] };
  const examplesStarted = Date.now();
  for (const ex of examples) {
    const undeclared = ex.imports.filter((s) => !isInstalledSpecifier(s, specs.map((x) => x.name)));
    if (undeclared.length) {
      failures.push(`${where}:${ex.line}: example ${ex.index} imports ${undeclared.join(', ')}, which the README's install command (line ${install.line}) does not install`);
    }
    const stem = `example-${ex.index}`;
    writeFileSync(path.join(dir, `${stem}.mts`), asTypeScriptModule(ex.code));
    writeFileSync(path.join(dir, `${stem}.cts`), asTypeScriptCommonJs(ex.code));
    tsFiles.mts.push(`${stem}.mts`);
    tsFiles.cts.push(`${stem}.cts`);
    for (const [form, ext, make] of [['ESM', 'mjs', asJavaScriptModule], ['CommonJS', 'cjs', asCommonJs]] as const) {
      let js: string;
      try {
        js = make(ex.code);
      } catch (e) {
        failures.push(`${where}:${ex.line}: example ${ex.index} does not compile: ${(e as Error).message}`);
        continue;
      }
      writeFileSync(path.join(dir, `${stem}.${ext}`), js);
      // Each run gets its own working folder beside ../shared, so files an example writes
      // (checkpoints, exports) never leak from one form into the other.
      const cwd = path.join(dir, `run-${ex.index}-${ext}`);
      mkdirSync(cwd);
      const r = await run('node', [path.join(dir, `${stem}.${ext}`)], { cwd, timeoutMs: 300_000 });
      if (r.code !== 0) {
        failures.push(`${where}:${ex.line}: example ${ex.index} as ${form} failed (exit ${r.code}${r.timedOut ? ', timed out' : ''}):\n${tail(`${r.stdout}\n${r.stderr}`)}`);
      }
    }
  }
  if (examples.length) parts.push(`${examples.length} example(s) ESM+CJS ${((Date.now() - examplesStarted) / 1000).toFixed(1)} s`);
  const tscStarted = Date.now();

  if (examples.length) {
    // strict, with our declaration files checked in full (an import one of them cannot resolve
    // would otherwise turn into a silent any); the tsconfig files are written for --keep users.
    const configs = {
      node16: [...tsFiles.mts, ...tsFiles.cts],
      bundler: tsFiles.mts,
    } as const;
    const passed: string[] = [];
    for (const [name, files] of Object.entries(configs) as Array<[Resolution, readonly string[]]>) {
      const options = consumerOptions(name, typeRoots);
      const moduleSettings = name === 'node16' ? { module: 'Node16', moduleResolution: 'Node16' } : { module: 'ESNext', moduleResolution: 'Bundler' };
      const config = { compilerOptions: { target: 'ES2022', strict: true, noEmit: true, types: ['node'], typeRoots, ...moduleSettings }, files };
      writeFileSync(path.join(dir, `tsconfig.${name}.json`), `${JSON.stringify(config, null, 2)}\n`);
      const errors = typecheck(dir, files.map((f) => path.join(dir, f)), options);
      if (errors.length) failures.push(`tsc --noEmit, moduleResolution ${name}, failed:\n${tail(errors.join('\n'))}`);
      else passed.push(name);
    }
    if (passed.length) parts.push(`tsc ${passed.join('+')} ${((Date.now() - tscStarted) / 1000).toFixed(1)} s`);
  }

  // An app is its bins.
  for (const bin of p.bins) {
    const file = path.join(nodeModules, '.bin', bin);
    if (!existsSync(file)) {
      failures.push(`bin ${bin} is not installed (node_modules/.bin/${bin})`);
      continue;
    }
    const r = await run(file, ['--help'], { cwd: dir, timeoutMs: 120_000 });
    if (r.code !== 0 || !/usage/i.test(r.stdout)) {
      failures.push(`${bin} --help failed (exit ${r.code}):\n${tail(`${r.stdout}\n${r.stderr}`)}`);
    }
  }
  if (p.bins.length) parts.push(`${p.bins.join(', ')} --help`);

  const extra = report.installSet.filter((n) => n !== p.name);
  const sizes = `packed ${kb(report.packed?.size ?? 0)}, installed ${kb(report.installed.bytes)} in ${report.installed.packages} packages`;
  report.ok = failures.length === 0;
  report.line =
    `${p.name}${extra.length ? ` (+ ${extra.join(' ')})` : ''}: ${report.ok ? 'ok' : `FAILED (${failures.length})`}; ` +
    `${parts.join(', ')}; ${sizes}; ${((Date.now() - started) / 1000).toFixed(1)} s`;
  return report;
}

/**
 * True when the install command names the package a specifier imports. A package that only
 * arrives as a dependency of another is not enough: strict installers (pnpm) do not hoist it.
 */
function isInstalledSpecifier(specifier: string, installSet: string[]): boolean {
  const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
  return installSet.includes(name);
}

const SIZES_START = '<!-- consumer-test:sizes:start -->';
const SIZES_END = '<!-- consumer-test:sizes:end -->';

function writeSizes(file: string, reports: ProjectReport[]): void {
  const text = readFileSync(file, 'utf8');
  const a = text.indexOf(SIZES_START);
  const b = text.indexOf(SIZES_END);
  if (a < 0 || b < a) throw new Error(`${file}: no "${SIZES_START}" ... "${SIZES_END}" markers to write the size table between`);
  const rows = reports
    .filter((r) => r.packed && r.installed)
    .map((r) => {
      const extra = r.installSet.filter((n) => n !== r.name);
      return `| ${r.name} | ${kb(r.packed!.size)} | ${kb(r.packed!.unpackedSize)} | ${r.packed!.files.length} | ${extra.length ? extra.join(', ') : '-'} | ${kb(r.installed!.bytes)} | ${r.installed!.packages} |`;
    });
  const table = [
    '| package | tarball | unpacked | files | installed with it (README) | installed tree | packages in tree |',
    '|---|---:|---:|---:|---|---:|---:|',
    ...rows,
  ].join('\n');
  writeFileSync(file, `${text.slice(0, a + SIZES_START.length)}\n${table}\n${text.slice(b)}`);
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const all = listPackages();
  const unknown = (o.only ?? []).filter((n) => !all.some((p) => p.folder === n || p.name === n));
  if (unknown.length) throw new Error(`--only: no workspace project ${unknown.join(', ')}; projects: ${all.map((p) => p.folder).join(', ')}`);
  const selected = o.only ? all.filter((p) => o.only!.includes(p.folder) || o.only!.includes(p.name)) : all;
  // The selected projects, the @spert packages their READMEs install, and those packages' dependencies.
  const needed = new Set(workspaceClosure(selected.flatMap((p) => [p.name, ...(installLine(readReadme(WORKSPACE_ROOT, p) ?? '')?.packages ?? [])]), all));
  const unbuilt = all.filter((p) => needed.has(p.name) && !existsSync(path.join(WORKSPACE_ROOT, p.root, 'dist')));
  if (unbuilt.length) throw new Error(`not built: ${unbuilt.map((p) => p.name).join(', ')}; run \`npx nx run-many -t build\` first`);
  if (!existsSync(sharedRoot)) {
    throw new Error(`README examples read ../shared (datasets, fixtures) and it is missing: ${sharedRoot}; put the project's shared folder beside the repository or set SPERT_SHARED`);
  }
  const base = mkdtempSync(path.join(os.tmpdir(), 'spert-consumers-'));
  const started = Date.now();
  try {
    const tarballs = path.join(base, 'tarballs');
    mkdirSync(tarballs);
    const packed = await packAll(all, tarballs);
    console.log(`consumer test: packed ${packed.size} projects in ${((Date.now() - started) / 1000).toFixed(1)} s; testing ${selected.length}, ${o.concurrency} at a time, in ${base}`);
    const reports: ProjectReport[] = new Array(selected.length);
    let next = 0;
    const worker = async () => {
      while (next < selected.length) {
        const i = next++;
        const r = await testProject(selected[i], all, packed, path.join(base, 'projects')).catch((e: Error) => ({
          name: selected[i].name,
          ok: false,
          line: `${selected[i].name}: FAILED (${e.message.split('\n')[0]})`,
          failures: [e.stack ?? e.message],
          installSet: [],
        }));
        reports[i] = r;
        // Installs that serve hold onnxruntime-node's binaries for every platform (about 340 MB):
        // without --keep, a finished project goes at once, so the disk holds two at most.
        if (!o.keep) rmSync(path.join(base, 'projects', `${selected[i].kind}-${selected[i].folder}`), { recursive: true, force: true });
        console.log(r.line);
        for (const f of r.failures) console.log(`  - ${f}`);
      }
    };
    mkdirSync(path.join(base, 'projects'));
    await Promise.all(Array.from({ length: Math.min(o.concurrency, selected.length) }, worker));
    if (o.sizes) writeSizes(path.resolve(o.sizes), reports);
    const failed = reports.filter((r) => !r.ok);
    const time = `${((Date.now() - started) / 1000).toFixed(0)} s`;
    if (failed.length) {
      console.error(`consumer test: ${failed.length} of ${reports.length} FAILED (${failed.map((r) => r.name).join(', ')}) in ${time}`);
      process.exitCode = 1;
    } else {
      console.log(`consumer test: ${reports.length} projects OK in ${time}`);
    }
  } finally {
    if (o.keep) console.log(`kept ${base}`);
    else rmSync(base, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(`consumer test: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
