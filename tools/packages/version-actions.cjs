// @ts-check
// nx release's version actions for this workspace's package.json files (nx.json "release.version.
// versionActions"). nx's default is @nx/js's implementation, and @nx/js exists only up to 23.x
// (this workspace runs nx 24) and brings Babel with it; what release needs from it for npm
// packages is small: read a package.json version, write the new one, and rewrite the ranges with
// which workspace packages depend on each other. Plain CommonJS because nx loads .ts files only
// through swc-node or ts-node, which this workspace does not install.
const { VersionActions } = require('nx/release');

/** @param {import('nx/src/devkit-exports').Tree} tree @param {string} file */
function readManifest(tree, file) {
  const text = tree.read(file, 'utf-8');
  if (text === null) throw new Error(`${file}: not found`);
  return JSON.parse(text);
}

const DEPENDENCY_BLOCKS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'];

/** package.json versioning for nx release: versions from disk, internal ranges rewritten together. */
class PackageJsonVersionActions extends VersionActions {
  validManifestFilenames = ['package.json'];

  /** @param {import('nx/src/devkit-exports').Tree} tree */
  async readCurrentVersionFromSourceManifest(tree) {
    const manifestPath = `${this.projectGraphNode.data.root}/package.json`;
    const manifest = readManifest(tree, manifestPath);
    if (typeof manifest.version !== 'string') throw new Error(`${manifestPath}: "version" is missing`);
    return { currentVersion: manifest.version, manifestPath };
  }

  async readCurrentVersionFromRegistry() {
    // Releases resolve versions from disk (nx.json); there is no registry copy to ask before the first publish.
    return null;
  }

  /**
   * @param {import('nx/src/devkit-exports').Tree} tree
   * @param {import('nx/src/devkit-exports').ProjectGraph} projectGraph
   * @param {string} dependencyProjectName
   */
  async readCurrentVersionOfDependency(tree, projectGraph, dependencyProjectName) {
    const node = projectGraph.nodes[dependencyProjectName];
    const packageName = node?.data.metadata?.js?.packageName ?? dependencyProjectName;
    const manifest = readManifest(tree, `${this.projectGraphNode.data.root}/package.json`);
    for (const block of DEPENDENCY_BLOCKS) {
      const range = manifest[block]?.[packageName];
      if (typeof range === 'string') return { currentVersion: range, dependencyCollection: block };
    }
    return { currentVersion: null, dependencyCollection: null };
  }

  /** @param {import('nx/src/devkit-exports').Tree} tree @param {string} newVersion */
  async updateProjectVersion(tree, newVersion) {
    const logs = [];
    for (const { manifestPath } of this.manifestsToUpdate) {
      const manifest = readManifest(tree, manifestPath);
      manifest.version = newVersion;
      tree.write(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
      logs.push(`✍️  New version ${newVersion} written to manifest: ${manifestPath}`);
    }
    return logs;
  }

  /**
   * @param {import('nx/src/devkit-exports').Tree} tree
   * @param {import('nx/src/devkit-exports').ProjectGraph} projectGraph
   * @param {Record<string, string>} dependenciesToUpdate project name -> new version
   */
  async updateProjectDependencies(tree, projectGraph, dependenciesToUpdate) {
    const byPackage = Object.fromEntries(
      Object.entries(dependenciesToUpdate).map(([project, version]) => [
        projectGraph.nodes[project]?.data.metadata?.js?.packageName ?? project,
        version,
      ]),
    );
    const logs = [];
    for (const { manifestPath } of this.manifestsToUpdate) {
      const manifest = readManifest(tree, manifestPath);
      let count = 0;
      for (const block of DEPENDENCY_BLOCKS) {
        for (const name of Object.keys(manifest[block] ?? {})) {
          if (!(name in byPackage)) continue;
          manifest[block][name] = byPackage[name];
          count++;
        }
      }
      if (count === 0) continue;
      tree.write(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
      logs.push(`✍️  Updated ${count} internal dependenc${count === 1 ? 'y' : 'ies'} in manifest: ${manifestPath}`);
    }
    return logs;
  }
}

/**
 * After the manifests are written: the workspace entries of package-lock.json carry each package's
 * version and its internal ranges, and `npm ci` refuses a lock file out of step with them.
 * @type {import('nx/release').AfterAllProjectsVersioned}
 */
async function afterAllProjectsVersioned(cwd, { dryRun }) {
  if (dryRun) {
    console.log('package-lock.json: would be refreshed with `npm install --package-lock-only` (dry run)');
    return { changedFiles: [], deletedFiles: [] };
  }
  const { execFileSync } = require('node:child_process');
  const before = require('node:fs').readFileSync(`${cwd}/package-lock.json`, 'utf8');
  execFileSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd, stdio: 'inherit' });
  const after = require('node:fs').readFileSync(`${cwd}/package-lock.json`, 'utf8');
  return { changedFiles: before === after ? [] : ['package-lock.json'], deletedFiles: [] };
}

module.exports = PackageJsonVersionActions;
module.exports.default = PackageJsonVersionActions;
module.exports.afterAllProjectsVersioned = afterAllProjectsVersioned;
