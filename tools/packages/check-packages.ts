// CLI of the package metadata check (tools/packages/README.md): every workspace project is ready
// for the registry. Exits 1 naming each project, file and field that is off.
//   npx tsx tools/packages/check-packages.ts          # check
//   npx tsx tools/packages/check-packages.ts --fix    # write what derives from the root package.json
//                                                     # (repository, homepage, bugs, engines, license,
//                                                     # publishConfig, exports types, LICENSE, README links)
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { absolutizeLinks, checkMetadata, repositoryWebUrl } from './metadata';
import { listPackages, WORKSPACE_ROOT } from './workspace';

function fix(root: string): void {
  const rootManifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<string, unknown> & {
    repository: { url: string };
  };
  const web = repositoryWebUrl(root);
  for (const p of listPackages(root)) {
    const file = path.join(root, p.manifestFile);
    const m = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const derived: Record<string, unknown> = {
      license: rootManifest.license,
      repository: { type: 'git', url: rootManifest.repository.url, directory: p.root },
      homepage: `${web}/tree/main/${p.root}#readme`,
      bugs: { url: `${web}/issues` },
      engines: rootManifest.engines,
      publishConfig: { access: 'public' },
    };
    // Insert the derived fields after "description", keeping the rest in order.
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(m)) {
      if (k in derived) continue;
      out[k] = v;
      if (k === 'description') Object.assign(out, derived);
    }
    if (!('description' in m)) Object.assign(out, derived);
    const exp = out.exports as Record<string, unknown> | undefined;
    const dot = exp?.['.'] as Record<string, unknown> | undefined;
    if (dot && typeof dot.import === 'string' && typeof dot.require === 'string') {
      const esm = dot.import;
      const cjs = dot.require;
      exp!['.'] = {
        import: { types: esm.replace(/\.m?js$/, '.d.ts'), default: esm },
        require: { types: cjs.replace(/\.c?js$/, '.d.cts'), default: cjs },
      };
    }
    writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
    copyFileSync(path.join(root, 'LICENSE'), path.join(root, p.root, 'LICENSE'));
    const readmeFile = path.join(root, p.root, 'README.md');
    try {
      const { text, changed } = absolutizeLinks(readFileSync(readmeFile, 'utf8'), p.root, root);
      if (changed) writeFileSync(readmeFile, text);
    } catch {
      // no README: the check names it
    }
  }
}

const args = process.argv.slice(2);
const root = WORKSPACE_ROOT;
if (args.some((a) => a !== '--fix')) {
  console.error('usage: check-packages.ts [--fix]');
  process.exit(2);
}
if (args.includes('--fix')) fix(root);
const { projects, problems } = checkMetadata(root);
for (const p of problems) console.error(`${p.file}: [${p.project}] ${p.message}`);
if (problems.length) {
  console.error(`check-packages: ${problems.length} problem(s) in ${new Set(problems.map((p) => p.project)).size} of ${projects.length} projects (tools/packages/README.md says what each field is for)`);
  process.exit(1);
}
console.log(`check-packages: ${projects.length} projects ready to publish`);
