module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: '@spert/onnx',
  rootDir: __dirname,
  testEnvironment: require('node:path').join(__dirname, '../../tools/testing/jest-shared-typed-arrays.cjs'),
};
