module.exports = { ...require('../../jest.preset.cjs'), displayName: '@spert/train-app', rootDir: __dirname };
