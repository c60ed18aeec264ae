import { packageConfig } from '../../tsup.base.mjs';

// The library (src/index.ts) and the spert-export executable (the package's bin).
export default packageConfig({ entry: ['src/index.ts', 'src/main.ts'] });
