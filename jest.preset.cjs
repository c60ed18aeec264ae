// Shared jest setup: TypeScript through swc (fast, no type check: `lint` runs tsc), @spert/* resolved
// to package sources so tests never need a build, and ESM-only dependencies transpiled to CJS.
const path = require('node:path');
const esmOnly = ['@huggingface'];
module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j|mj)s$': [require.resolve('@swc/jest'), {
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'commonjs' },
    }],
  },
  transformIgnorePatterns: [`node_modules/(?!(${esmOnly.join('|')})/)`],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  moduleNameMapper: {
    '^@spert/(.*)$': path.join(__dirname, 'packages/$1/src/index.ts'),
  },
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  testTimeout: 120000,
};
