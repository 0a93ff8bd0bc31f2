import { ProtoWriter } from './protobuf.js';

/** An op attribute as tfjs-node's binding takes it (`type` is TF_AttrType: 0 string … 5 shape). */
export interface OpAttr {
  readonly name: string;
  readonly type: number;
  readonly value: unknown;
}

/** Where an op input comes from: output `out` of traced op `op`, or graph input (placeholder) `input`. */
export type Ref = { readonly op: number; readonly out: number } | { readonly input: number };

export interface TensorSpec {
  readonly shape: readonly number[];
  /** TF_DataType (1 float32, 3 int32, 10 bool). */
  readonly dtype: number;
}

/** A traced step as a graph: ops in execution order, placeholders for every tensor from outside, fetched outputs. */
export interface StepGraph {
  readonly ops: readonly { readonly name: string; readonly attrs: readonly OpAttr[]; readonly inputs: readonly Ref[] }[];
  readonly inputs: readonly TensorSpec[];
  readonly fetches: readonly Ref[];
}

export const inputName = (i: number): string => `kiln_in${i}`;
export const opName = (k: number): string => `kiln_op${k}`;
export const refName = (r: Ref): string => ('input' in r ? `${inputName(r.input)}:0` : `${opName(r.op)}:${r.out}`);

const TF_ATTR = { STRING: 0, INT: 1, FLOAT: 2, BOOL: 3, TYPE: 4, SHAPE: 5 } as const;

/** AttrValue (tensorflow/core/framework/attr_value.proto): s=2 i=3 f=4 b=5 type=6 shape=7 list=1 (s=2 i=3 f=4 b=5 type=6). */
function writeAttr(w: ProtoWriter, a: OpAttr): void {
  const v = a.value;
  const list = Array.isArray(v) ? (v as unknown[]) : undefined;
  switch (a.type) {
    case TF_ATTR.STRING: w.string(2, String(v)); return;
    case TF_ATTR.INT: if (list) w.message(1, (l) => list.forEach((x) => l.int(3, Number(x)))); else w.int(3, Number(v)); return;
    case TF_ATTR.FLOAT: if (list) w.message(1, (l) => list.forEach((x) => l.float(4, Number(x)))); else w.float(4, Number(v)); return;
    case TF_ATTR.BOOL: if (list) w.message(1, (l) => list.forEach((x) => l.int(5, Boolean(x)))); else w.int(5, Boolean(v)); return;
    case TF_ATTR.TYPE: if (list) w.message(1, (l) => list.forEach((x) => l.int(6, Number(x)))); else w.int(6, Number(v)); return;
    case TF_ATTR.SHAPE: w.message(7, (s) => writeShape(s, v as number[])); return;
    default: throw new Error(`attribute '${a.name}' has TF_AttrType ${a.type}, which a traced graph cannot hold`);
  }
}

/** TensorShapeProto: dim=2 { size=1 }; a negative size is an unknown dimension. */
function writeShape(w: ProtoWriter, shape: readonly number[]): void {
  for (const d of shape) w.message(2, (dim) => dim.int(1, d));
}

/** NodeDef: name=1 op=2 input=3 attr=5 (map entry key=1 value=2). */
function writeNode(w: ProtoWriter, name: string, op: string, inputs: readonly string[], attrs: readonly [string, (a: ProtoWriter) => void][]): void {
  w.message(1, (n) => {
    n.string(1, name).string(2, op);
    for (const i of inputs) n.string(3, i);
    for (const [key, fill] of attrs) n.message(5, (e) => e.string(1, key).message(2, fill));
  });
}

/**
 * The bytes of a saved_model.pb (SavedModel: schema_version=1, meta_graphs=2 { meta_info_def=1
 * { tags=4 }, graph_def=2 }) holding `g` under the tag `tag`. No variables, no signatures: the
 * caller feeds placeholders and fetches outputs by name (`inputName`, `refName`).
 */
export function savedModelBytes(g: StepGraph, tag: string): Uint8Array {
  const graph = new ProtoWriter();
  g.inputs.forEach((spec, i) => writeNode(graph, inputName(i), 'Placeholder', [], [
    ['dtype', (a) => a.int(6, spec.dtype)],
    ['shape', (a) => a.message(7, (s) => writeShape(s, spec.shape))],
  ]));
  g.ops.forEach((op, k) => writeNode(graph, opName(k), op.name, op.inputs.map(refName), op.attrs.map((a) => [a.name, (w) => writeAttr(w, a)])));
  graph.message(4, (v) => v.int(1, 1800)); // VersionDef.producer: any version this TensorFlow reads
  const graphBytes = graph.finish();
  return new ProtoWriter()
    .int(1, 1)
    .message(2, (mg) => mg.message(1, (info) => info.string(4, tag)).blob(2, graphBytes))
    .finish();
}
