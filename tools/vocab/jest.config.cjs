// Tests of the vocabulary CLI: `npx jest -c tools/vocab/jest.config.cjs` from the repository root.
module.exports = { ...require('../../jest.preset.cjs'), displayName: 'tools/vocab', rootDir: __dirname, testMatch: ['<rootDir>/*.spec.ts'] };
