module.exports = { ...require('../../jest.preset.cjs'), displayName: '@spert/checkpoint', rootDir: __dirname };
