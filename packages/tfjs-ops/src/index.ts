// Generic TensorFlow.js ops and parameter helpers that the SpERT heads share (and any other
// TF.js layer may use): nothing here knows about spans, entities or relations.
export { dropout, tfjsDropout, type RowSelection } from './dropout';
export { gatherRows } from './gather-rows';
export { linearOverParts } from './linear-over-parts';
export { type TensorMap, assignNamed, linear, ownedVariable } from './parameters';
export { type IntInput, readIntInput } from './int-input';
