module.exports = { ...require('../../jest.preset.cjs'), displayName: '@spert/core', rootDir: __dirname };
