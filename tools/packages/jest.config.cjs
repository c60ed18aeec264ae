// Tests of the package tools: `npx jest -c tools/packages/jest.config.cjs` from the repository root.
module.exports = { ...require('../../jest.preset.cjs'), displayName: 'tools/packages', rootDir: __dirname, testMatch: ['<rootDir>/*.spec.ts'] };
