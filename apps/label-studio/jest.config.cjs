module.exports = { ...require('../../jest.preset.cjs'), displayName: '@spert/label-studio-app', rootDir: __dirname };
