module.exports = { ...require('../../jest.preset.cjs'), displayName: '@spert/pipeline', rootDir: __dirname };
