// The registry-readiness rules of every workspace project (issue 27, "Ready to publish"): the
// package.json fields a registry user expects, a LICENSE in the folder npm packs, a README whose
// links work on the registry page, an install command and a link to the API reference.
// The expected values derive from the root package.json (`repository`, `license`, `engines`), so
// a new package copies them and this check names any that is missing or different.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { installLine, listPackages, WORKSPACE_ROOT, type PackageInfo } from './workspace';

/** One metadata problem: the project, the file and what to change. */
export interface MetadataProblem {
  project: string;
  file: string;
  message: string;
}

interface RootManifest {
  version?: string;
  license?: string;
  engines?: { node?: string };
  repository?: { type?: string; url?: string };
}

/** The repository's web address (`https://github.com/o/r`) from the root package.json's `repository.url`. */
export function repositoryWebUrl(root = WORKSPACE_ROOT): string {
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as RootManifest;
  const url = manifest.repository?.url;
  if (!url) throw new Error(`${path.join(root, 'package.json')}: "repository.url" is missing; the package metadata derives from it`);
  return url.replace(/^git\+/, '').replace(/\.git$/, '');
}

/** The web address of a workspace file or folder on the default branch. */
export function repositoryFileUrl(relativePath: string, root = WORKSPACE_ROOT): string {
  const isDir = existsSync(path.join(root, relativePath)) && !relativePath.match(/\.[a-z0-9]+(#.*)?$/i);
  return `${repositoryWebUrl(root)}/${isDir ? 'tree' : 'blob'}/main/${relativePath}`;
}

/** Where a package's API reference page lives, workspace-relative. */
export function apiPagePath(p: Pick<PackageInfo, 'kind' | 'folder'>): string {
  return `docs/api/${p.kind === 'app' ? `app-${p.folder}` : p.folder}.md`;
}

/** Markdown links and images of a text: `[x](url)`, `![x](url)`, `[x]: url`, `href="url"`, with line numbers. */
export function markdownLinks(markdown: string): Array<{ url: string; line: number }> {
  const links: Array<{ url: string; line: number }> = [];
  let inFence = false;
  markdown.split('\n').forEach((text, i) => {
    if (/^\s*(`{3,}|~{3,})/.test(text)) inFence = !inFence;
    if (inFence) return;
    const stripped = text.replace(/`[^`]*`/g, '');
    for (const m of stripped.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) links.push({ url: m[1], line: i + 1 });
    for (const m of stripped.matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/g)) links.push({ url: m[1], line: i + 1 });
    for (const m of stripped.matchAll(/(?:href|src)="([^"]+)"/g)) links.push({ url: m[1], line: i + 1 });
  });
  return links;
}

/**
 * Rewrites a README's relative links (which point into the monorepo and break on the registry
 * page) to absolute repository addresses. Returns the new text and how many links changed.
 */
export function absolutizeLinks(markdown: string, readmeDir: string, root = WORKSPACE_ROOT): { text: string; changed: number } {
  let changed = 0;
  let inFence = false;
  const lines = markdown.split('\n').map((line) => {
    if (/^\s*(`{3,}|~{3,})/.test(line)) inFence = !inFence;
    if (inFence) return line;
    return line.replace(/\]\((?!https?:|mailto:|#)([^)\s]+)\)/g, (_all, target: string) => {
      const [file, anchor] = target.split('#');
      const rel = path.posix.normalize(path.posix.join(readmeDir, file));
      changed++;
      return `](${repositoryFileUrl(rel, root)}${anchor ? `#${anchor}` : ''})`;
    });
  });
  return { text: lines.join('\n'), changed };
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** Every metadata problem of the workspace's projects. */
export function checkMetadata(root = WORKSPACE_ROOT): { projects: PackageInfo[]; problems: MetadataProblem[] } {
  const rootManifest = readJson<RootManifest>(path.join(root, 'package.json'));
  const webUrl = repositoryWebUrl(root);
  const rootLicense = path.join(root, 'LICENSE');
  const licenseText = existsSync(rootLicense) ? readFileSync(rootLicense, 'utf8') : undefined;
  const projects = listPackages(root);
  const problems: MetadataProblem[] = [];
  if (!licenseText) problems.push({ project: '(root)', file: 'LICENSE', message: 'the repository has no LICENSE file to copy into the packages' });
  const versions = new Set(projects.map((p) => p.version));

  for (const p of projects) {
    const file = p.manifestFile;
    const m = p.manifest as Record<string, unknown>;
    const add = (message: string, where = file) => problems.push({ project: p.name, file: where, message });
    const expectField = (field: string, expected: unknown, hint = JSON.stringify(expected)) => {
      if (JSON.stringify(m[field]) !== JSON.stringify(expected)) {
        add(`"${field}" is ${m[field] === undefined ? 'missing' : JSON.stringify(m[field])}: set "${field}": ${hint}`);
      }
    };

    if (!p.name.startsWith('@spert/')) add(`"name" ${JSON.stringify(p.name)} is not in the @spert scope`);
    if (typeof m.description !== 'string' || m.description.length < 10) add('"description" is missing or shorter than 10 characters: say what the package is for');
    if (m.private === true) add('"private": true keeps it off the registry: remove it (the consumer test packs every workspace project)');
    expectField('license', rootManifest.license);
    expectField('repository', { type: 'git', url: rootManifest.repository?.url, directory: p.root });
    expectField('homepage', `${webUrl}/tree/main/${p.root}#readme`);
    expectField('bugs', { url: `${webUrl}/issues` });
    expectField('engines', { node: rootManifest.engines?.node });
    expectField('publishConfig', { access: 'public' });
    const keywords = m.keywords;
    if (!Array.isArray(keywords) || !keywords.includes('spert') || keywords.some((k) => typeof k !== 'string')) {
      add(`"keywords" is ${keywords === undefined ? 'missing' : JSON.stringify(keywords)}: list strings that include "spert" (and what the package is about)`);
    }
    if (typeof m.sideEffects !== 'boolean' && !Array.isArray(m.sideEffects)) {
      add('"sideEffects" is missing: false when importing the package runs nothing but definitions (bundlers may then drop unused modules), true or a list of files otherwise');
    }
    const files = m.files;
    if (!Array.isArray(files) || !files.includes('dist')) add('"files" must list "dist" (and nothing from src or tests)');
    if (versions.size > 1) add(`"version" ${p.version} differs from other projects (${[...versions].join(', ')}): the packages release together as one group (nx.json "release")`);
    for (const block of ['dependencies', 'peerDependencies', 'optionalDependencies'] as const) {
      for (const [dep, range] of Object.entries(p.manifest[block] ?? {})) {
        const target = projects.find((q) => q.name === dep);
        if (target && range !== target.version) add(`${block}["${dep}"] is "${range}": internal dependencies are pinned to the group's version "${target.version}" (nx release updates them together)`);
      }
    }
    // Types for both module systems: a `require` that resolves ESM declarations is what
    // TypeScript's node16 resolution reports as masquerading ESM.
    const exportsField = m.exports as Record<string, unknown> | undefined;
    const dot = exportsField?.['.'] as Record<string, unknown> | undefined;
    const req = dot?.require as Record<string, unknown> | string | undefined;
    const imp = dot?.import as Record<string, unknown> | string | undefined;
    if (!dot || typeof req !== 'object' || typeof imp !== 'object' || typeof req.types !== 'string' || typeof imp.types !== 'string' || !String(req.types).endsWith('.d.cts')) {
      add('"exports"["."] must give each condition its own declarations: {"import": {"types": "./dist/index.d.ts", "default": "./dist/index.js"}, "require": {"types": "./dist/index.d.cts", "default": "./dist/index.cjs"}}');
    }

    const projectLicense = path.join(root, p.root, 'LICENSE');
    if (!existsSync(projectLicense)) add('no LICENSE file: npm packs the LICENSE of the package folder; copy the root LICENSE', `${p.root}/LICENSE`);
    else if (licenseText && readFileSync(projectLicense, 'utf8') !== licenseText) add('LICENSE differs from the root LICENSE: copy it again', `${p.root}/LICENSE`);

    const readmeFile = `${p.root}/README.md`;
    if (!existsSync(path.join(root, readmeFile))) {
      add('no README.md (the registry page shows it)', readmeFile);
      continue;
    }
    const readme = readFileSync(path.join(root, readmeFile), 'utf8');
    const install = installLine(readme);
    if (!install) add(`no install command: add a \`\`\`sh block with \`npm install ${p.name}\` (the consumer test installs what it names)`, readmeFile);
    else if (install.packages[0] !== p.name) add(`line ${install.line}: the install command must name ${p.name} first`, readmeFile);
    const usesOrt = projects
      .filter((q) => install?.packages.includes(q.name))
      .some((q) => JSON.stringify(listClosureDeps(q, projects)).includes('onnxruntime-node'));
    if (usesOrt && install && install.env.ONNXRUNTIME_NODE_INSTALL !== 'skip') {
      add(`line ${install.line}: it installs onnxruntime-node, whose install script downloads GPU binaries: write the command as \`ONNXRUNTIME_NODE_INSTALL=skip npm install ...\``, readmeFile);
    }
    const apiUrl = `${webUrl}/blob/main/${apiPagePath(p)}`;
    if (p.kind === 'package' && !readme.includes(apiUrl)) add(`does not link its API reference: add a link to ${apiUrl}`, readmeFile);
    for (const { url, line } of markdownLinks(readme)) {
      if (/^(https?:|mailto:|#)/.test(url)) {
        const own = new RegExp(`^${webUrl.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}/(?:blob|tree)/main/([^#?]+)`).exec(url);
        if (own && !existsSync(path.join(root, own[1])) && own[1] !== apiPagePath(p)) {
          add(`line ${line}: ${url} points at ${own[1]}, which does not exist in the repository`, readmeFile);
        }
        continue;
      }
      const target = path.posix.normalize(path.posix.join(p.root, url.split('#')[0]));
      add(`line ${line}: relative link "${url}" breaks on the registry page: use ${repositoryFileUrl(target, root)} (\`npx tsx tools/packages/check-packages.ts --fix\` rewrites them)`, readmeFile);
    }
  }
  return { projects, problems };
}

/** The third-party dependency names a project installs, through its workspace dependencies. */
function listClosureDeps(p: PackageInfo, projects: PackageInfo[], seen = new Set<string>()): string[] {
  if (seen.has(p.name)) return [];
  seen.add(p.name);
  const deps = Object.keys(p.manifest.dependencies ?? {});
  return deps.flatMap((d) => {
    const q = projects.find((x) => x.name === d);
    return q ? listClosureDeps(q, projects, seen) : [d];
  });
}
