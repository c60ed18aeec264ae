// What the package tools (metadata check, consumer test, API reference) know about the workspace:
// its publishable projects, found through the root package.json's `workspaces` globs (so a new
// package or app is covered the moment it is merged), and what their READMEs promise a user.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { listProjects, type Project } from '../../tools/lint/manifests';

export type { Project };

/** The repository root: the nearest folder, from this file (tools/packages/) or else the working directory up, whose package.json has `workspaces`. */
export const WORKSPACE_ROOT = findWorkspaceRoot();

function findWorkspaceRoot(): string {
  const starts = [typeof __dirname === 'string' ? __dirname : undefined, process.cwd()].filter((d): d is string => !!d);
  for (const start of starts) {
    for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
      const manifest = path.join(dir, 'package.json');
      if (existsSync(manifest) && 'workspaces' in (JSON.parse(readFileSync(manifest, 'utf8')) as object)) return dir;
      if (path.dirname(dir) === dir) break;
    }
  }
  throw new Error(`no package.json with "workspaces" above ${starts.join(' or ')}`);
}

/** A workspace project with its package.json as published (the fields the tools read). */
export interface PackageInfo extends Project {
  /** `packages` or `apps`: the first folder of its root. */
  kind: 'package' | 'app';
  /** The folder name under packages/ or apps/ (`core`, `serve`). */
  folder: string;
  version: string;
  /** `@spert/*` projects it needs at run time (dependencies and required peers). */
  workspaceDependencies: string[];
  bins: string[];
}

/** Every project of the root's `workspaces` globs, sorted by folder. */
export function listPackages(root = WORKSPACE_ROOT): PackageInfo[] {
  const projects = listProjects(root);
  const names = new Set(projects.map((p) => p.name));
  return projects.map((p) => {
    const manifest = p.manifest as Project['manifest'] & { version?: unknown; bin?: unknown };
    const runtime = {
      ...(p.manifest.dependencies ?? {}),
      ...Object.fromEntries(
        Object.entries(p.manifest.peerDependencies ?? {}).filter(([n]) => !p.manifest.peerDependenciesMeta?.[n]?.optional),
      ),
    };
    const bin = manifest.bin;
    return {
      ...p,
      kind: p.root.startsWith('apps/') ? 'app' : 'package',
      folder: path.posix.basename(p.root),
      version: typeof manifest.version === 'string' ? manifest.version : '',
      workspaceDependencies: Object.keys(runtime).filter((n) => names.has(n)).sort(),
      bins: bin && typeof bin === 'object' ? Object.keys(bin).sort() : typeof bin === 'string' ? [p.name.split('/').pop() ?? p.name] : [],
    };
  });
}

/** The `@spert/*` projects `names` need at run time, themselves included, transitively. */
export function workspaceClosure(names: string[], packages: PackageInfo[]): string[] {
  const byName = new Map(packages.map((p) => [p.name, p]));
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    const p = byName.get(name);
    if (!p) return;
    seen.add(name);
    p.workspaceDependencies.forEach(visit);
  };
  names.forEach(visit);
  return [...seen].sort();
}

/** A fenced code block of a README, with the line its opening fence is on (1-based). */
export interface CodeBlock {
  lang: string;
  code: string;
  line: number;
}

/** The fenced code blocks of a markdown text. */
export function codeBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[i]);
    if (!open) continue;
    const fence = open[2];
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !lines[j].trimStart().startsWith(fence)) body.push(lines[j++]);
    blocks.push({ lang: open[3].toLowerCase(), code: body.join('\n'), line: i + 1 });
    i = j;
  }
  return blocks;
}

/** The README's install command: the first `npm install @spert/...` line of a shell block. */
export interface InstallLine {
  /** Package names as written (`@spert/onnx`, `@tensorflow/tfjs-backend-cpu`). */
  packages: string[];
  /** Environment assignments written before `npm` (`ONNXRUNTIME_NODE_INSTALL=skip`). */
  env: Record<string, string>;
  line: number;
}

/** Finds the install command a README gives its reader; undefined when there is none. */
export function installLine(markdown: string): InstallLine | undefined {
  for (const block of codeBlocks(markdown)) {
    if (!['sh', 'bash', 'shell', 'console'].includes(block.lang)) continue;
    const lines = block.code.split('\n');
    for (let k = 0; k < lines.length; k++) {
      const m = /^\s*\$?\s*((?:[A-Z_][A-Z0-9_]*=\S+\s+)*)npm\s+(?:install|i|add)\s+(.+?)\s*(?:#.*)?$/.exec(lines[k]);
      if (!m || !m[2].includes('@spert/')) continue;
      const env = Object.fromEntries(
        m[1].trim().split(/\s+/).filter(Boolean).map((a) => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]),
      );
      const packages = m[2].split(/\s+/).filter((a) => a && !a.startsWith('-'));
      return { packages, env, line: block.line + 1 + k };
    }
  }
  return undefined;
}

/** A README example a reader can paste into a file and run: a TypeScript block that imports a package. */
export interface Example extends CodeBlock {
  /** 1-based position among the README's runnable examples. */
  index: number;
  /** Bare module specifiers it imports, in order. */
  imports: string[];
}

/**
 * The README's runnable examples: ```ts/```js blocks whose statements include an import of a
 * package. Signature listings (declarations without imports) and fragments are not examples.
 */
export function runnableExamples(markdown: string): Example[] {
  const out: Example[] = [];
  for (const block of codeBlocks(markdown)) {
    if (!['ts', 'typescript', 'js', 'javascript', 'mjs', 'mts'].includes(block.lang)) continue;
    const source = ts.createSourceFile('example.mts', block.code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
    const imports = source.statements
      .filter(ts.isImportDeclaration)
      .map((s) => (s.moduleSpecifier as ts.StringLiteral).text)
      .filter((s) => !s.startsWith('.') && !s.startsWith('node:'));
    if (imports.length === 0) continue;
    out.push({ ...block, index: out.length + 1, imports });
  }
  return out;
}

/** The README of a project, or undefined when it has none. */
export function readReadme(root: string, project: Project): string | undefined {
  const file = path.join(root, project.root, 'README.md');
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}
