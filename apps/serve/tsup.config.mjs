import { packageConfig } from '../../tsup.base.mjs';

// The library (src/index.ts) plus the spert-serve executable (src/main.ts, the package's bin).
export default packageConfig({ entry: ['src/index.ts', 'src/main.ts'] });
