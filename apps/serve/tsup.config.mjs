import { packageConfig } from '../../tsup.base.mjs';

// The library (src/index.ts), the spert-serve executable (the package's bin) and the worker-thread module of spert-serve --workers.
export default packageConfig({ entry: ['src/index.ts', 'src/main.ts', 'src/predict-worker.ts'] });
