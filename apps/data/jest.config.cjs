module.exports = { ...require('../../jest.preset.cjs'), displayName: '@spert/data-app', rootDir: __dirname };
