module.exports = { ...require('../../jest.preset.cjs'), displayName: '@spert/trainer', rootDir: __dirname };
