module.exports = { ...require('../../jest.preset.cjs'), displayName: '@spert/evaluator', rootDir: __dirname };
