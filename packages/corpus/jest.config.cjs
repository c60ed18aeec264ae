module.exports = { ...require('../../jest.preset.cjs'), displayName: '@spert/corpus', rootDir: __dirname };
