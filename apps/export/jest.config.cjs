module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: '@spert/export-app',
  rootDir: __dirname,
  // onnxruntime-node checks typed arrays with instanceof across jest's realm boundary.
  testEnvironment: require('node:path').join(__dirname, '../../tools/testing/jest-shared-typed-arrays.cjs'),
};
