module.exports = { ...require('../../jest.preset.cjs'), displayName: '@spert/model', rootDir: __dirname };
