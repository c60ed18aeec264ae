// CLI of the dependency-manifest check: `npx tsx tools/lint/check-manifests.ts [workspace-root]`.
// Exits 1 on any problem; tools/lint/README.md lists the rules and the allowlist.
import * as path from 'node:path';
import { checkWorkspace, formatProblem } from './manifests';

const root = path.resolve(process.argv[2] ?? path.join(__dirname, '../..'));
const { projects, problems, allowed } = checkWorkspace(root);
for (const p of problems) console.error(formatProblem(p));
const known = allowed.length ? `; ${allowed.length} known violation(s) allowed by tools/lint/known-violations.json` : '';
if (problems.length > 0) {
  console.error(`check-manifests: ${problems.length} problem(s) in ${projects.length} projects${known}`);
  process.exit(1);
}
console.log(`check-manifests: ${projects.length} projects OK${known}`);
