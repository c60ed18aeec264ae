// Tests of the manifest check: `npx jest -c tools/lint/jest.config.cjs` from the repository root.
module.exports = { ...require('../../jest.preset.cjs'), displayName: 'tools/lint', rootDir: __dirname, testMatch: ['<rootDir>/*.spec.ts'] };
