module.exports = { ...require('../../jest.preset.cjs'), displayName: '@spert/onnx', rootDir: __dirname };
