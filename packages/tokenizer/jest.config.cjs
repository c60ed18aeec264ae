module.exports = { ...require('../../jest.preset.cjs'), displayName: '@spert/tokenizer', rootDir: __dirname };
