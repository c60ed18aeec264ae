module.exports = { ...require('../../jest.preset.cjs'), displayName: '@spert/encoder', rootDir: __dirname };
