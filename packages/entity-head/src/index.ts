export { maxPoolSpans, clsVectors } from './max-pool-spans';
export { poolSpans, sumPoolSpans } from './pool-spans';
export {
  EntityHead,
  type EntityHeadConfig,
  type EntityHeadInput,
  type EntityHeadOutput,
} from './entity-head';
export { type IntInput } from './int-input';
export { type TensorMap, assignNamed, linear, ownedVariable } from './parameters';
export { seedStream } from './seed-stream';
export { gatherRows } from './gather-rows';
export { dropout } from './dropout';
export { linearOverParts } from './linear-over-parts';
