// API reports (API Extractor, issue #24): each package's public surface as its build declares it
// (dist/index.d.ts), committed as packages/<name>/api/<name>.api.md, so that a change of the
// surface shows in review and happens only on purpose.
//
//   npx tsx tools/packages/api-report.ts --check    # fail when a report differs from the build (package-tools:test)
//   npx tsx tools/packages/api-report.ts --update   # rewrite the reports after an intended change
//   ... --only core,onnx                            # some packages
//
// Both need the packages built (`npx nx run-many -t build`); package-tools:test depends on every build.
// Each package has an api-extractor.json extending the root api-extractor.base.json.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Extractor, ExtractorConfig, ExtractorLogLevel } from '@microsoft/api-extractor';
import { listPackages, WORKSPACE_ROOT, type PackageInfo } from './workspace';

const USAGE = 'usage: api-report.ts --check | --update [--only name,name]';
const CONFIG = 'api-extractor.json';
const CONFIG_TEXT = '{ "extends": "../../api-extractor.base.json" }\n';
// API Extractor's messages about the report file itself: this script states the verdict.
const OWN_VERDICT = new Set<string>(['console-api-report-changed', 'console-api-report-created', 'console-api-report-copied', 'console-api-report-not-copied']);

interface Args {
  update: boolean;
  only: string[] | undefined;
}

function parseArgs(argv: string[]): Args {
  let mode: 'check' | 'update' | undefined;
  let only: string[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--check' || a === '--update') {
      if (mode) throw new Error(`api-report: give one of --check and --update; ${USAGE}`);
      mode = a === '--check' ? 'check' : 'update';
    } else if (a === '--only') {
      const v = argv[++i];
      if (!v) throw new Error(`api-report: --only needs a comma-separated list of package names; ${USAGE}`);
      only = v.split(',').map((s) => s.trim().replace(/^@spert\//, '')).filter(Boolean);
    } else {
      throw new Error(`api-report: unknown argument ${a}; ${USAGE}`);
    }
  }
  if (!mode) throw new Error(`api-report: missing --check or --update; ${USAGE}`);
  return { update: mode === 'update', only };
}

/** Runs API Extractor on one package; returns its problems (empty when the report is current). */
function reportPackage(pkg: PackageInfo, update: boolean): string[] {
  const dir = path.join(WORKSPACE_ROOT, pkg.root);
  const configPath = path.join(dir, CONFIG);
  const unscoped = pkg.name.replace(/^@spert\//, '');
  const reportPath = `${pkg.root}/api/${unscoped}.api.md`;
  if (!existsSync(configPath)) {
    if (!update) return [`${pkg.root}/${CONFIG}: missing; create it with ${CONFIG_TEXT.trim()} (or run api-report.ts --update)`];
    writeFileSync(configPath, CONFIG_TEXT);
  }
  if (!existsSync(path.join(dir, 'dist/index.d.ts'))) {
    return [`${pkg.root}/dist/index.d.ts: missing; build the packages first (npx nx run-many -t build)`];
  }
  mkdirSync(path.join(dir, 'api'), { recursive: true });
  const problems: string[] = [];
  const config = ExtractorConfig.loadFileAndPrepare(configPath);
  const result = Extractor.invoke(config, {
    localBuild: update,
    messageCallback: (message) => {
      message.handled = true;
      // The "report changed" and "report created" warnings are this script's own verdict below.
      if (OWN_VERDICT.has(message.messageId)) return;
      if (message.logLevel === ExtractorLogLevel.Error || message.logLevel === ExtractorLogLevel.Warning) {
        const where = message.sourceFilePath ? `${path.relative(WORKSPACE_ROOT, message.sourceFilePath)}:${message.sourceFileLine ?? 0}` : pkg.root;
        problems.push(`${where}: [${message.messageId}] ${message.text}`);
      }
    },
  });
  if (result.apiReportChanged && !update) {
    problems.push(`${reportPath}: the public API of ${pkg.name} differs from its committed report (the build's is node_modules/.cache/api-extractor/${unscoped}/${unscoped}.api.md); if the change is intended, run npm run api:update and commit the report`);
  }
  if (!result.succeeded && problems.length === 0) problems.push(`${pkg.root}: API Extractor failed (${result.errorCount} errors, ${result.warningCount} warnings)`);
  return problems;
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const packages = listPackages().filter((p) => p.kind === 'package' && existsSync(path.join(WORKSPACE_ROOT, p.root, 'src/index.ts')));
  const unknown = (args.only ?? []).filter((n) => !packages.some((p) => p.name === `@spert/${n}`));
  if (unknown.length) throw new Error(`api-report: --only names no package ${unknown.join(', ')}; packages: ${packages.map((p) => p.name.replace(/^@spert\//, '')).join(', ')}`);
  const chosen = args.only ? packages.filter((p) => args.only?.includes(p.name.replace(/^@spert\//, ''))) : packages;
  const problems: string[] = [];
  for (const pkg of chosen) {
    const found = reportPackage(pkg, args.update);
    problems.push(...found);
    console.log(`api-report: ${pkg.name} ${found.length ? 'FAILED' : args.update ? 'written' : 'unchanged'}`);
  }
  for (const p of problems) console.error(p);
  if (problems.length) process.exit(1);
  console.log(`api-report: ${chosen.length} packages ${args.update ? 'written' : 'match their reports'}`);
}

try {
  main();
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(2);
}
