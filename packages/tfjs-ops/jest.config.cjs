module.exports = { ...require('../../jest.preset.cjs'), displayName: '@spert/tfjs-ops', rootDir: __dirname };
