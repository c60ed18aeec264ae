// The dependency-manifest check of tools/lint/README.md: every workspace project's package.json
// says exactly what its source imports, test code stays out of `dependencies`, packages reach no
// file outside their own folder, and tensor-free or serving projects install no tensor runtime.
// @nx/enforce-module-boundaries (eslint.config.mjs) checks imports against tags; this checks the
// manifests those imports must agree with, which no eslint rule over `src` can see.
import { existsSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import * as path from 'node:path';
import { globSync } from 'tinyglobby';
import ts from 'typescript';

/** The rules a problem can come from (and an allowlist entry can name). */
export const RULES = [
  'tags',
  'missing-dependency',
  'unused-dependency',
  'test-only-dependency',
  'missing-dev-dependency',
  'import-outside-project',
  'production-imports-test-file',
  'tensor-closure',
  'stale-allowlist-entry',
  'bad-allowlist-entry',
] as const;

/** One rule of {@link RULES}. */
export type RuleName = (typeof RULES)[number];

/** One violation: `place` identifies it within its project and rule (what an allowlist entry names). */
export interface Problem {
  rule: RuleName;
  project: string;
  place: string;
  /** Workspace-relative file the problem is in (a source file or a package.json). */
  file: string;
  line?: number;
  message: string;
}

/** An allowlisted violation: still present, to be removed by the work that fixes it. */
export interface KnownViolation {
  rule: RuleName;
  project: string;
  place: string;
  reason: string;
}

type DependencyBlock = Record<string, string>;

interface Manifest {
  name?: unknown;
  dependencies?: DependencyBlock;
  devDependencies?: DependencyBlock;
  peerDependencies?: DependencyBlock;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  optionalDependencies?: DependencyBlock;
  nx?: { tags?: unknown };
  workspaces?: unknown;
}

/** A workspace project as the check sees it. */
export interface Project {
  name: string;
  /** Workspace-relative folder, posix separators. */
  root: string;
  manifestFile: string;
  manifest: Manifest;
  tags: string[];
}

const SCOPES = ['scope:tensor-free', 'scope:tfjs', 'scope:serving'] as const;
/** Dependency names (globs: `*` is any run of characters) each scope's installed closure must not contain. */
const BANNED_IN_CLOSURE: Record<string, string[]> = {
  'scope:tensor-free': ['@tensorflow/*', 'onnxruntime-*'],
  'scope:serving': ['@tensorflow/*'],
};

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('.*')}$`);
}
const SOURCE_GLOBS = ['src/**/*.{ts,tsx,mts,cts,js,mjs,cjs}', 'test/**/*.{ts,tsx,mts,cts,js,mjs,cjs}'];
/** Where test code may take shared helpers from, workspace-relative. */
const SHARED_TEST_HELPERS = 'tools/testing/';

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`${what}: cannot read ${file}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new Error(`${what}: ${file} is not valid JSON: ${(e as Error).message}`);
  }
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

/** The workspace projects named by the root package.json's `workspaces`, sorted by folder. */
export function listProjects(workspaceRoot: string): Project[] {
  const rootManifestFile = path.join(workspaceRoot, 'package.json');
  const rootManifest = readJson(rootManifestFile, 'workspace manifest') as Manifest;
  const ws = rootManifest.workspaces;
  const patterns = Array.isArray(ws) ? ws : (ws as { packages?: unknown } | undefined)?.packages;
  if (!Array.isArray(patterns) || !patterns.every((p) => typeof p === 'string')) {
    throw new Error(`${rootManifestFile}: "workspaces" must be an array of folder globs (or {"packages": [...]})`);
  }
  const manifests = globSync(
    patterns.map((p) => `${p.replace(/\/$/, '')}/package.json`),
    { cwd: workspaceRoot, ignore: ['**/node_modules/**'] },
  ).sort();
  return manifests.map((rel) => {
    const manifestFile = toPosix(rel);
    const manifest = readJson(path.join(workspaceRoot, rel), 'project manifest') as Manifest;
    if (typeof manifest.name !== 'string' || manifest.name === '') {
      throw new Error(`${manifestFile}: "name" is missing; every workspace project needs a package name`);
    }
    const rawTags = manifest.nx?.tags;
    const tags = Array.isArray(rawTags) ? rawTags.filter((t): t is string => typeof t === 'string') : [];
    return { name: manifest.name, root: path.posix.dirname(manifestFile), manifestFile, manifest, tags };
  });
}

/** The package a bare specifier names: `@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`. */
export function packageNameOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** True for code only tests run: specs, a `testing/` folder, the project's `test/` folder. */
export function isTestPath(projectRelative: string): boolean {
  return (
    /\.(spec|test)(\.[cm]?[jt]sx?)?$/.test(projectRelative) ||
    projectRelative.startsWith('test/') ||
    /(^|\/)(testing|__tests__)(\/|$)/.test(projectRelative)
  );
}

/** Specs and the `test/` folder may use tools/testing; `src/testing/` is package source and may not. */
function mayUseSharedTestHelpers(projectRelative: string): boolean {
  return /\.(spec|test)\.[cm]?[jt]sx?$/.test(projectRelative) || projectRelative.startsWith('test/');
}

interface ImportSite {
  specifier: string;
  file: string;
  line: number;
}

/** Every module specifier of a file: imports (type-only too), re-exports, require() and import(). */
export function importsOf(text: string): Array<{ specifier: string; line: number }> {
  const info = ts.preProcessFile(text, true, true);
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const lineOf = (pos: number) => {
    let line = 0;
    while (line + 1 < lineStarts.length && lineStarts[line + 1] <= pos) line++;
    return line + 1;
  };
  return info.importedFiles.map((ref) => ({ specifier: ref.fileName, line: lineOf(ref.pos) }));
}

interface ProjectImports {
  production: Map<string, ImportSite[]>;
  test: Map<string, ImportSite[]>;
  problems: Problem[];
}

function scanProject(workspaceRoot: string, project: Project): ProjectImports {
  const projectDir = path.join(workspaceRoot, project.root);
  const files = globSync(SOURCE_GLOBS, { cwd: projectDir, ignore: ['**/node_modules/**', '**/dist/**'] }).sort();
  const production = new Map<string, ImportSite[]>();
  const test = new Map<string, ImportSite[]>();
  const problems: Problem[] = [];
  for (const rel of files.map(toPosix)) {
    const file = `${project.root}/${rel}`;
    const fileIsTest = isTestPath(rel);
    for (const { specifier, line } of importsOf(readFileSync(path.join(projectDir, rel), 'utf8'))) {
      const site = { specifier, file, line };
      if (specifier.startsWith('.') || specifier.startsWith('/')) {
        const target = toPosix(path.relative(workspaceRoot, path.resolve(path.dirname(path.join(workspaceRoot, file)), specifier)));
        const insideProject = target === project.root || target.startsWith(`${project.root}/`);
        if (!insideProject) {
          if (target.startsWith(SHARED_TEST_HELPERS) && mayUseSharedTestHelpers(rel)) continue;
          problems.push({
            rule: 'import-outside-project',
            project: project.name,
            place: `${rel} -> ${specifier}`,
            file,
            line,
            message:
              `imports "${specifier}" (${target}), outside ${project.root}/. A package reaches other code only ` +
              `by package name, listed in its package.json; ${SHARED_TEST_HELPERS} is for *.spec.ts files and test/ ` +
              `only: move what this file needs into ${project.root} or into a package it depends on.`,
          });
        } else if (!fileIsTest && isTestPath(target.slice(project.root.length + 1))) {
          problems.push({
            rule: 'production-imports-test-file',
            project: project.name,
            place: `${rel} -> ${specifier}`,
            file,
            line,
            message:
              `non-test source imports the test-only file "${specifier}": move that code out of the test ` +
              `folder (it would ship with the package and its imports would belong in "dependencies").`,
          });
        }
        continue;
      }
      if (isBuiltin(specifier)) continue;
      const name = packageNameOf(specifier);
      if (name === project.name) continue;
      const into = fileIsTest ? test : production;
      into.set(name, [...(into.get(name) ?? []), site]);
    }
  }
  return { production, test, problems };
}

function checkTags(project: Project): Problem[] {
  const expectedType = project.root.startsWith('apps/') ? 'type:app' : 'type:package';
  const problems: Problem[] = [];
  const base = { rule: 'tags' as const, project: project.name, file: project.manifestFile };
  const scopes = project.tags.filter((t) => t.startsWith('scope:'));
  if (scopes.length !== 1 || !SCOPES.includes(scopes[0] as (typeof SCOPES)[number])) {
    problems.push({
      ...base,
      place: 'scope',
      message:
        `"nx": {"tags": [...]} must hold exactly one of ${SCOPES.join(', ')} (has ${scopes.length ? scopes.join(', ') : 'none'}); ` +
        `the dependency rules of eslint.config.mjs are keyed by it (tools/lint/README.md says which to pick).`,
    });
  }
  const types = project.tags.filter((t) => t.startsWith('type:'));
  if (types.length !== 1 || types[0] !== expectedType) {
    problems.push({
      ...base,
      place: 'type',
      message: `"nx": {"tags": [...]} must hold exactly one type tag, "${expectedType}" for ${project.root}/ (has ${types.length ? types.join(', ') : 'none'}).`,
    });
  }
  return problems;
}

function where(sites: ImportSite[]): string {
  const first = sites[0];
  return `${first.file}:${first.line}${sites.length > 1 ? ` and ${sites.length - 1} more` : ''}`;
}

function checkManifest(project: Project, imports: ProjectImports, workspaceNames: Set<string>): Problem[] {
  const { dependencies = {}, devDependencies = {}, peerDependencies = {}, optionalDependencies = {} } = project.manifest;
  const problems: Problem[] = [];
  const mf = project.manifestFile;
  const runtimeListed = (n: string) => n in dependencies || n in peerDependencies || n in optionalDependencies;
  for (const [name, sites] of imports.production) {
    if (runtimeListed(name)) continue;
    const [site] = sites;
    problems.push({
      rule: 'missing-dependency',
      project: project.name,
      place: name,
      file: site.file,
      line: site.line,
      message:
        name in devDependencies
          ? `non-test source imports "${site.specifier}", but ${mf} lists "${name}" only in "devDependencies": move it to "dependencies".`
          : `imports "${site.specifier}", which ${mf} does not list: add "${name}" to "dependencies".`,
    });
  }
  for (const name of Object.keys(dependencies)) {
    if (imports.production.has(name)) continue;
    const testSites = imports.test.get(name);
    problems.push(
      testSites
        ? {
            rule: 'test-only-dependency',
            project: project.name,
            place: name,
            file: mf,
            message: `"${name}" is in "dependencies" but only test code imports it (${where(testSites)}): move it to "devDependencies".`,
          }
        : {
            rule: 'unused-dependency',
            project: project.name,
            place: name,
            file: mf,
            message: `"${name}" is in "dependencies" but no source file under ${project.root}/src imports it: remove it.`,
          },
    );
  }
  for (const [name, sites] of imports.test) {
    if (runtimeListed(name) || name in devDependencies) continue;
    const [site] = sites;
    problems.push({
      rule: 'missing-dev-dependency',
      project: project.name,
      place: name,
      file: site.file,
      line: site.line,
      message: `test code imports "${site.specifier}", which ${mf} does not list: add "${name}" to "devDependencies".`,
    });
  }
  // A workspace devDependency is an nx graph edge (and can make a cycle), so it must be used.
  for (const name of Object.keys(devDependencies)) {
    if (!workspaceNames.has(name) || imports.test.has(name) || imports.production.has(name)) continue;
    problems.push({
      rule: 'unused-dependency',
      project: project.name,
      place: name,
      file: mf,
      message: `"${name}" is in "devDependencies" but nothing under ${project.root} imports it: remove it (a workspace package there is an nx dependency edge).`,
    });
  }
  return problems;
}

/** Names a manifest makes npm install alongside it: dependencies, optional ones, required peers. */
function installedWith(manifest: Manifest): string[] {
  const requiredPeers = Object.keys(manifest.peerDependencies ?? {}).filter(
    (n) => !manifest.peerDependenciesMeta?.[n]?.optional,
  );
  return [...new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.optionalDependencies ?? {}), ...requiredPeers])];
}

/** Finds an installed package's folder the way Node does: node_modules of this folder and each parent. */
function resolveInstalled(name: string, fromDir: string, workspaceRoot: string): string | undefined {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (dir === workspaceRoot || path.dirname(dir) === dir) return undefined;
  }
}

/**
 * Shortest chain from `start` to a dependency matching `banned`, through workspace manifests and
 * installed packages' package.json files (packages that are not installed end the chain).
 */
function findBannedChain(
  start: string,
  fromDir: string,
  banned: RegExp[],
  workspaceRoot: string,
  projectsByName: Map<string, Project>,
): string[] | undefined {
  const queue: Array<{ name: string; fromDir: string; chain: string[] }> = [{ name: start, fromDir, chain: [start] }];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const { name, fromDir: from, chain } = queue.shift()!;
    if (banned.some((b) => b.test(name))) return chain;
    const project = projectsByName.get(name);
    const dir = project ? path.join(workspaceRoot, project.root) : resolveInstalled(name, from, workspaceRoot);
    if (!dir || seen.has(dir)) continue;
    seen.add(dir);
    const manifest = project ? project.manifest : (readJson(path.join(dir, 'package.json'), `installed ${name}`) as Manifest);
    for (const next of installedWith(manifest)) queue.push({ name: next, fromDir: dir, chain: [...chain, next] });
  }
  return undefined;
}

function checkClosure(workspaceRoot: string, project: Project, projectsByName: Map<string, Project>): Problem[] {
  const problems: Problem[] = [];
  for (const scope of project.tags) {
    const globs = BANNED_IN_CLOSURE[scope];
    if (!globs) continue;
    const banned = globs.map(globToRegExp);
    for (const direct of installedWith(project.manifest)) {
      const chain = findBannedChain(direct, path.join(workspaceRoot, project.root), banned, workspaceRoot, projectsByName);
      if (!chain) continue;
      problems.push({
        rule: 'tensor-closure',
        project: project.name,
        place: direct,
        file: project.manifestFile,
        message:
          `${project.name} is ${scope}, so installing it must not install ${chain[chain.length - 1]}, but ` +
          `${[project.name, ...chain].join(' -> ')}: drop "${direct}" from its dependencies, or move what ` +
          `${project.name} uses from it into a package whose closure is free of ${globs.join(' and ')}.`,
      });
    }
  }
  return problems;
}

function sameViolation(a: { rule: string; project: string; place: string }, b: { rule: string; project: string; place: string }): boolean {
  return a.rule === b.rule && a.project === b.project && a.place === b.place;
}

/** Reads and validates an allowlist file; a missing file is an empty list. Bad entries become problems. */
export function readKnownViolations(file: string, displayName: string): { entries: KnownViolation[]; problems: Problem[] } {
  if (!existsSync(file)) return { entries: [], problems: [] };
  const raw = readJson(file, 'known-violations allowlist') as { violations?: unknown };
  const problems: Problem[] = [];
  const bad = (place: string, message: string) =>
    problems.push({ rule: 'bad-allowlist-entry', project: '(allowlist)', place, file: displayName, message });
  if (!Array.isArray(raw.violations)) {
    bad('violations', `must be {"violations": [{"rule", "project", "place", "reason"}, ...]}`);
    return { entries: [], problems };
  }
  const entries: KnownViolation[] = [];
  raw.violations.forEach((v: unknown, i: number) => {
    const e = (v ?? {}) as Record<string, unknown>;
    const missing = ['rule', 'project', 'place', 'reason'].filter((k) => typeof e[k] !== 'string' || (e[k] as string).trim() === '');
    if (missing.length > 0) return bad(`violations[${i}]`, `violations[${i}] needs non-empty string field(s) ${missing.join(', ')}.`);
    if (!(RULES as readonly string[]).includes(e.rule as string) || e.rule === 'stale-allowlist-entry' || e.rule === 'bad-allowlist-entry') {
      return bad(`violations[${i}]`, `violations[${i}].rule "${e.rule as string}" is not an allowlistable rule (one of ${RULES.slice(0, -2).join(', ')}).`);
    }
    const entry = e as unknown as KnownViolation;
    if (entries.some((x) => sameViolation(x, entry))) return bad(`violations[${i}]`, `violations[${i}] repeats an earlier entry.`);
    entries.push(entry);
  });
  return { entries, problems };
}

/** Result of {@link checkWorkspace}: what fails, and what the allowlist let through. */
export interface CheckResult {
  projects: Project[];
  problems: Problem[];
  allowed: Problem[];
}

/** Runs every manifest rule over a workspace, applying the allowlist (stale entries are problems). */
export function checkWorkspace(workspaceRoot: string, allowlistFile = path.join(workspaceRoot, 'tools/lint/known-violations.json')): CheckResult {
  const root = path.resolve(workspaceRoot);
  const projects = listProjects(root);
  const projectsByName = new Map(projects.map((p) => [p.name, p]));
  const found: Problem[] = [];
  for (const project of projects) {
    const imports = scanProject(root, project);
    found.push(...checkTags(project), ...imports.problems, ...checkManifest(project, imports, new Set(projectsByName.keys())));
    found.push(...checkClosure(root, project, projectsByName));
  }
  const allowlistName = toPosix(path.relative(root, allowlistFile)) || allowlistFile;
  const { entries, problems: badEntries } = readKnownViolations(allowlistFile, allowlistName);
  const allowed = found.filter((p) => entries.some((e) => sameViolation(e, p)));
  const problems = [...found.filter((p) => !allowed.includes(p)), ...badEntries];
  entries.forEach((e, i) => {
    if (found.some((p) => sameViolation(e, p))) return;
    problems.push({
      rule: 'stale-allowlist-entry',
      project: e.project,
      place: e.place,
      file: allowlistName,
      message: `entry ${i} (${e.rule} in ${e.project} at "${e.place}") no longer occurs: remove it from the allowlist.`,
    });
  });
  return { projects, problems, allowed };
}

/** One line per problem, `file:line: [rule] project: message`, as editors and CI logs link them. */
export function formatProblem(p: Problem): string {
  return `${p.file}${p.line ? `:${p.line}` : ''}: [${p.rule}] ${p.project}: ${p.message}`;
}
