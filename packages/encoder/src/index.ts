export * from './safetensors';
export * from './bert-config';
