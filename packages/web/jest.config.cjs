module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: '@spert/web',
  rootDir: __dirname,
  // onnxruntime-node (the reference the browser is compared with) checks typed arrays with instanceof across jest's realm boundary.
  testEnvironment: require('node:path').join(__dirname, '../../tools/testing/jest-shared-typed-arrays.cjs'),
};
