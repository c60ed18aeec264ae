import { packageConfig } from '../../tsup.base.mjs';

export default packageConfig({ entry: ['src/index.ts', 'src/main.ts', 'src/experiment/main.ts', 'src/pretrain/main.ts'] });
