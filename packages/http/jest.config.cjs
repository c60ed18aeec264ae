module.exports = { ...require('../../jest.preset.cjs'), displayName: '@spert/http', rootDir: __dirname };
