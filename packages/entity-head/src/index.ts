export { maxPoolSpans, clsVectors } from './max-pool-spans';
export { poolSpans, sumPoolSpans } from './pool-spans';
export {
  EntityHead,
  type EntityHeadConfig,
  type EntityHeadInput,
  type EntityHeadOutput,
} from './entity-head';
