module.exports = { ...require('../../jest.preset.cjs'), displayName: '@spert/relation-head', rootDir: __dirname };
