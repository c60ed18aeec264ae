module.exports = { ...require('../../jest.preset.cjs'), displayName: '@spert/backend', rootDir: __dirname };
