module.exports = { ...require('../../jest.preset.cjs'), displayName: '@spert/span-sampler', rootDir: __dirname };
