export { maxPoolSpans, clsVectors } from './max-pool-spans';
export { poolSpans, sumPoolSpans } from './pool-spans';
export { checkHeadConfig, passDropout } from './head-config';
export {
  EntityHead,
  type EntityHeadConfig,
  type EntityHeadInput,
  type EntityHeadOutput,
} from './entity-head';
