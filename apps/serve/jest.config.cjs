module.exports = { ...require('../../jest.preset.cjs'), displayName: '@spert/serve-app', rootDir: __dirname };
