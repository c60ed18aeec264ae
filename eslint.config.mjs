import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

// The dependency rules of docs/ARCHITECTURE.md, by nx project tag (set in each package.json under
// "nx": {"tags": [...]}; tools/lint/README.md lists them). The rule reads nx's cached project
// graph, which every `nx run-many`/`nx run` computes before linting.
const tensorPackages = ['@tensorflow/*', 'onnxruntime-*'];
const sourceConstraints = [
  // Tensor-free code is what the browser build, the serving path and users without TF.js load.
  {
    sourceTag: 'scope:tensor-free',
    onlyDependOnLibsWithTags: ['scope:tensor-free'],
    bannedExternalImports: tensorPackages,
  },
  // Serving must not pull TF.js back in through a package.
  { allSourceTags: ['scope:tfjs', 'type:package'], notDependOnLibsWithTags: ['scope:serving'] },
  // Packages are usable alone: never an app or a tool.
  { sourceTag: 'type:package', onlyDependOnLibsWithTags: ['type:package'] },
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:package'] },
  { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:package', 'type:tool'] },
];

// Specs of tensor-free packages stay tensor-free; an app's specs may load the TF.js model to make
// predictions to test with. (That serving code loads no TF.js is proven by check-manifests'
// closure rule and apps/serve/src/tensor-free.spec.ts: nx's graph counts dev edges, so a tag rule
// here would flag serving for its specs' devDependencies.)
const specConstraints = sourceConstraints.map((c) => {
  if (c.sourceTag !== 'scope:tensor-free') return c;
  const { sourceTag: _tag, ...rest } = c;
  return { ...rest, allSourceTags: ['scope:tensor-free', 'type:package'] };
});
const boundaries = (depConstraints) => [
  'error',
  {
    // Specs share tools/testing (data paths, float64 references); tools/lint/check-manifests.ts
    // rejects the same import from non-spec source.
    // tools/packages (package metadata, consumer test) lists the workspace's projects with
    // check-manifests' own reader.
    allow: ['^(\\.\\./)+tools/testing/[\\w.-]+$', '^(\\.\\./)+tools/lint/manifests$'],
    depConstraints,
  },
];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': boundaries(sourceConstraints),
    },
  },
  { files: ['**/*.spec.ts', '**/test/**/*.ts', '**/testing/**/*.ts'], rules: { '@nx/enforce-module-boundaries': boundaries(specConstraints) } },
);
