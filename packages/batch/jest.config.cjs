module.exports = { ...require('../../jest.preset.cjs'), displayName: '@spert/batch', rootDir: __dirname };
