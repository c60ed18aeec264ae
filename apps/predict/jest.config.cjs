module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: '@spert/predict-app',
  rootDir: __dirname,
  // onnxruntime-node checks typed arrays with instanceof across jest's realm boundary.
  testEnvironment: require('node:path').join(__dirname, '../../tools/testing/jest-shared-typed-arrays.cjs'),
  // A failed Redis-fault test can leave a worker's ioredis reconnect loop behind, and jest would then
  // wait for it forever (seen 2026-12-05: "SIGTERM to workers while Redis is down" raced, the chunk
  // finished before the signal). Exit when the run is over, so a failure fails CI instead of hanging it.
  forceExit: true,
};
