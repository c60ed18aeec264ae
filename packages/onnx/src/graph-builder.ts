// A small helper over onnx-proto's generated messages: it names values, adds nodes and
// initializers, and serializes a ModelProto, so the exporters read like the math they build.
import onnxProto from 'onnx-proto';
import type { onnx as Onnx } from 'onnx-proto';
import { SpertError, internalError } from '@spert/core';

// onnx-proto is CommonJS without named-export hints, so Node's ESM loader only offers the
// default export: take the namespace from it (works the same when compiled to CommonJS).
const { onnx } = onnxProto;

/** ONNX element types used by the exported graphs. */
export type OnnxElementType = 'float32' | 'int64' | 'bool' | 'uint8';

/** One graph input or output: a dimension is a number (fixed) or a name (dynamic axis). */
export interface ValueSpec {
  name: string;
  type: OnnxElementType;
  dims: Array<number | string>;
}

/** Attribute values a node can take (ints/floats/int lists are enough for our graphs). */
export type AttributeValue = number | number[] | { float: number };

const ELEM: Record<OnnxElementType, Onnx.TensorProto.DataType> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  int64: onnx.TensorProto.DataType.INT64,
  bool: onnx.TensorProto.DataType.BOOL,
  uint8: onnx.TensorProto.DataType.UINT8,
};

/** The opset the exported graphs target (LayerNormalization is standard from 17). */
export const OPSET = 17;

/** Builds one ONNX graph node by node; `toBytes` serializes the model. */
export class GraphBuilder {
  private readonly nodes: Onnx.INodeProto[] = [];
  private readonly initializers: Onnx.ITensorProto[] = [];
  private readonly inputs: Onnx.IValueInfoProto[] = [];
  private readonly outputs: Onnx.IValueInfoProto[] = [];
  private readonly used = new Set<string>();
  private counter = 0;

  /** Creates a builder for a graph called `name`. */
  constructor(private readonly name: string) {}

  /** Declares a graph input and returns its name. */
  input(spec: ValueSpec): string {
    this.claim(spec.name);
    this.inputs.push(valueInfo(spec));
    return spec.name;
  }

  /** Declares `value` (a node output) as graph output `spec.name` via Identity. */
  output(value: string, spec: ValueSpec): void {
    this.claim(spec.name);
    this.nodes.push({ opType: 'Identity', input: [value], output: [spec.name], name: `out_${spec.name}` });
    this.outputs.push(valueInfo(spec));
  }

  /** Adds a float32 initializer (weights; raw little-endian bytes) and returns its name. */
  floatTensor(name: string, dims: number[], data: Float32Array | number[]): string {
    const arr = data instanceof Float32Array ? data : Float32Array.from(data);
    const n = dims.reduce((a, b) => a * b, 1);
    if (arr.length !== n) throw internalError(`initializer ${name}: ${arr.length} values for shape [${dims.join(', ')}]`);
    const unique = this.fresh(name);
    const raw = new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
    this.initializers.push({ name: unique, dims, dataType: ELEM.float32, rawData: littleEndian(raw) });
    return unique;
  }

  /** Adds an int64 initializer (shapes, indices) and returns its name. */
  intTensor(name: string, dims: number[], data: number[]): string {
    const unique = this.fresh(name);
    const big = BigInt64Array.from(data.map((v) => BigInt(v)));
    this.initializers.push({ name: unique, dims, dataType: ELEM.int64, rawData: littleEndian(new Uint8Array(big.buffer)) });
    return unique;
  }

  /** Adds a uint8 initializer (quantized weights) and returns its name. */
  uint8Tensor(name: string, dims: number[], data: Uint8Array): string {
    const unique = this.fresh(name);
    this.initializers.push({ name: unique, dims, dataType: ELEM.uint8, rawData: data.slice() });
    return unique;
  }

  /** A float32 scalar constant. */
  scalar(value: number, name = 'const'): string {
    return this.floatTensor(name, [], [value]);
  }

  /** Adds a node with one output and returns that output's name. */
  op(opType: string, inputs: string[], attrs: Record<string, AttributeValue> = {}, hint?: string): string {
    return this.opN(opType, inputs, 1, attrs, hint)[0];
  }

  /** Adds a node with `nOut` outputs and returns their names. */
  opN(opType: string, inputs: string[], nOut: number, attrs: Record<string, AttributeValue> = {}, hint?: string): string[] {
    const base = hint ?? opType.toLowerCase();
    const outs = Array.from({ length: nOut }, (_, i) => this.fresh(nOut === 1 ? base : `${base}_${i}`));
    this.nodes.push({
      opType,
      input: inputs,
      output: outs,
      name: this.fresh(`node_${base}`),
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return outs;
  }

  /** Serializes the graph as an ONNX model (IR 8, opset 17, default domain only). */
  toBytes(docString = ''): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: '@spert/onnx',
      producerVersion: '0.1.0',
      docString,
      opsetImport: [{ domain: '', version: OPSET }],
      graph: {
        name: this.name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }

  private claim(name: string): void {
    if (this.used.has(name)) throw internalError(`graph ${this.name}: value name "${name}" used twice`);
    this.used.add(name);
  }

  private fresh(base: string): string {
    let name = base;
    while (this.used.has(name)) name = `${base}_${++this.counter}`;
    this.used.add(name);
    return name;
  }
}

function valueInfo(spec: ValueSpec): Onnx.IValueInfoProto {
  return {
    name: spec.name,
    type: {
      tensorType: {
        elemType: ELEM[spec.type],
        shape: { dim: spec.dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function attribute(name: string, v: AttributeValue): Onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (Array.isArray(v)) return { name, type: T.INTS, ints: v };
  if (typeof v === 'number') return { name, type: T.INT, i: v };
  return { name, type: T.FLOAT, f: v.float };
}

// ONNX raw_data is little-endian; typed arrays use the platform order, which on big-endian
// hosts must be swapped. Copy so the protobuf owns its bytes.
const IS_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
function littleEndian(bytes: Uint8Array): Uint8Array {
  if (!IS_LE) throw new SpertError('UNSUPPORTED', '@spert/onnx: exporting on a big-endian host is not supported');
  return bytes.slice();
}
