import { packageConfig } from '../../tsup.base.mjs';

// The library (src/index.ts), the spert-predict executable and the worker-thread module it starts.
export default packageConfig({ entry: ['src/index.ts', 'src/main.ts', 'src/worker.ts'] });
