import { packageConfig } from '../../tsup.base.mjs';

// The library (src/index.ts), the spert-predict and spert-worker executables, and the worker-thread module spert-predict starts.
export default packageConfig({ entry: ['src/index.ts', 'src/main.ts', 'src/worker.ts', 'src/worker-main.ts'] });
