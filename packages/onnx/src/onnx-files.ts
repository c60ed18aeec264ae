// File names of an exported model directory, shared by the export and the runtime (which must
// not make the export load onnxruntime or the heads).

/** The three graphs an exported model directory holds. */
export const ONNX_FILES = { encoder: 'encoder.onnx', entityHead: 'entity_head.onnx', relationHead: 'relation_head.onnx' } as const;
