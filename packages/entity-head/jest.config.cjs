module.exports = { ...require('../../jest.preset.cjs'), displayName: '@spert/entity-head', rootDir: __dirname };
