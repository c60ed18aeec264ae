// Shared by the apps' bin shims (spert-train, spert-eval, spert-serve, spert-export). Plain
// JavaScript, outside src/, so that it works before anything is built.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Runs an app's entry point `entry` (e.g. "main") for the bin shim at `binUrl`
 * (import.meta.url of apps/<app>/bin/<name>.js). In a clone of the repository it runs the
 * TypeScript source through tsx: `npx spert-train` then works right after `npm ci`, before any
 * build, and never runs a stale build. An installed package ships only dist/, so there it runs
 * the built file.
 */
export async function runEntry(binUrl, entry) {
  const source = new URL(`../src/${entry}.ts`, binUrl);
  const built = new URL(`../dist/${entry}.cjs`, binUrl);
  if (existsSync(source)) {
    const tsx = await import('tsx/esm/api').catch(() => undefined);
    if (tsx) {
      // The app's tsconfig maps @spert/* to the packages' sources, which need no build either.
      tsx.register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', binUrl)) });
      await import(source.href);
      return;
    }
  }
  if (existsSync(built)) {
    await import(built.href);
    return;
  }
  process.stderr.write(
    `${fileURLToPath(binUrl)}: found neither ${fileURLToPath(built)} nor tsx to run ${fileURLToPath(source)}; ` +
      'in a clone run `npm ci` (tsx is a dev dependency) or `npm run build`\n',
  );
  process.exit(1);
}
