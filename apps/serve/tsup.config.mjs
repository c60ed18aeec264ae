import { packageConfig } from '../../tsup.base.mjs';

// The library (src/index.ts) plus the spert-serve and spert-export executables (the package's bins).
export default packageConfig({ entry: ['src/index.ts', 'src/main.ts', 'src/export-main.ts'] });
