module.exports = { ...require('../../jest.preset.cjs'), displayName: '@spert/annotations', rootDir: __dirname };
