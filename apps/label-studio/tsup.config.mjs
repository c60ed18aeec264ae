import { packageConfig } from '../../tsup.base.mjs';

// The library (src/index.ts), the spert-label-studio and spert-label-studio-worker executables, and the worker-thread module that trains.
export default packageConfig({ entry: ['src/index.ts', 'src/main.ts', 'src/train-worker.ts', 'src/worker-main.ts'] });
