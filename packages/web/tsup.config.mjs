import { packageConfig } from '../../tsup.base.mjs';

// shims: the Node helpers find their files through import.meta.url, also in the CJS build.
export default packageConfig({ shims: true });
