export * from './safetensors';
export * from './bert-config';
export { readPytorchBin } from './pytorch-bin';
export { BertEncoder } from './bert-encoder';
export type { BertInputs, ApplyOptions, BertEncoderOptions, ToTensorsOptions } from './bert-encoder';
export { bertParamSpecs, encoderParamName, isIgnoredCheckpointTensor } from './bert-names';
export type { ParamSpec, ParamLayout } from './bert-names';
export { SeededRandom } from './random';
