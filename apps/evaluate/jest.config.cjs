module.exports = { ...require('../../jest.preset.cjs'), displayName: '@spert/evaluate-app', rootDir: __dirname };
