import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { StepCompiler, StepCompilerStats } from '@kiln/core-trainer';
import { type OpAttr, type Ref, type StepGraph, type TensorSpec, inputName, refName, savedModelBytes } from './graph-def.js';

/** Output metadata of tfjs-node's binding (`dtype` is a TF_DataType). */
interface Meta {
  readonly id: number;
  readonly shape: number[];
  readonly dtype: number;
}

/** The parts of tfjs-node's binding and NodeJSKernelBackend that the compiler drives. */
interface Binding {
  executeOp(name: string, attrs: OpAttr[], ids: number[], n: number): Meta[];
  deleteTensor(id: number): void;
  tensorDataSync(id: number): unknown;
  loadSavedModel(dir: string, tags: string): number;
  runSavedModel(session: number, ids: number[], inputNames: string, outputNames: string): Meta[];
  deleteSavedModel(session: number): void;
  [k: string]: unknown;
}
interface NodeBackendInternals {
  binding: Binding;
  tensorMap: { get(dataId: object): { id: number } | undefined; has(dataId: object): boolean };
  getInputTensorIds(tensors: tf.TensorInfo[]): number[];
  createOutputTensor(m: Meta): tf.Tensor;
}

const DTYPES: Record<string, number> = { float32: 1, int32: 3, bool: 10 };
const TAG = 'kiln-step';
/** Fake tensor ids handed out while a step is recorded: negative, so tfjs-node never passes them to the binding's delete. */
let nextFake = -2;

interface Compiled {
  readonly graph: StepGraph;
  readonly outs: readonly (readonly TensorSpec[])[];
  readonly keys: readonly string[];
  readonly fetchKey: string;
  readonly key: string;
  readonly session: number;
  readonly feedNames: string;
  readonly fetchNames: string;
  lastUsed: number;
}

interface RecordedOp {
  readonly name: string;
  readonly attrs: OpAttr[];
  readonly key: string;
  readonly ids: number[];
  readonly inputs: Ref[];
  readonly outIds: number[];
  readonly outs: TensorSpec[];
}

const refKey = (r: Ref): string => ('input' in r ? `i${r.input}` : `${r.op}.${r.out}`);
const sameSpec = (a: TensorSpec, b: TensorSpec): boolean => a.dtype === b.dtype && a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);

/**
 * Runs training steps of the tfjs-node backend as TensorFlow graphs, as Keras' compiled `fit` does.
 *
 * Contract: `run(fn)` returns what `fn` returns, and every tensor `fn` leaves alive holds the
 * values eager execution gives: the graph is made of the very ops eager execution runs, with
 * every tensor from outside the step fed in (nothing is frozen as a constant). TensorFlow's graph
 * kernels may round differently from its eager ones (Softmax does, at ~6e-8).
 *
 * How: the first time a step's op sequence is seen it runs eagerly while its ops are recorded
 * (name, attributes, where each input comes from); that recording becomes a GraphDef, loaded
 * through the binding's SavedModel session API. Later steps run `fn` in record mode: each op
 * gets output ids and shapes from the matching compiled graph without executing, and at the end
 * one session run computes every tensor the step left alive; their ids are swapped in. Whenever
 * the step departs from every compiled graph (another op, attribute, input shape or set of
 * surviving tensors), or `fn` reads a value mid-step, the ops recorded so far are executed
 * eagerly in order and the step continues eagerly: the result is the eager result.
 */
export class NativeStepCompiler implements StepCompiler {
  readonly #backend: NodeBackendInternals;
  readonly #real: Binding;
  readonly #graphs: Compiled[] = [];
  readonly #maxGraphs: number;
  readonly #stats = { compiledSteps: 0, eagerSteps: 0, graphs: 0, fallbacks: [] as string[] };
  #step: StepState | undefined;
  #clock = 0;
  /** Graphs TensorFlow refused to load or failed to run, by key: not tried again. */
  readonly #rejected = new Set<string>();
  #shim: Binding | undefined;

  constructor(backend: unknown, options: { maxGraphs?: number } = {}) {
    this.#backend = backend as NodeBackendInternals;
    this.#real = this.#backend.binding;
    this.#maxGraphs = options.maxGraphs ?? 8;
  }

  run<T>(fn: () => T): T {
    if (this.#step) return fn(); // nested: part of the step being recorded
    const b = this.#backend;
    const step = new StepState([...this.#graphs]);
    this.#step = step;
    const { getInputTensorIds, createOutputTensor } = b;
    b.binding = this.#shim ??= this.#makeShim();
    // Own properties shadow the prototype's methods for the duration of the step.
    b.getInputTensorIds = (tensors) => {
      const ids = getInputTensorIds.call(b, tensors);
      tensors.forEach((t, i) => step.spec.set(ids[i]!, { shape: t.shape, dtype: DTYPES[t.dtype] ?? -1 }));
      return ids;
    };
    b.createOutputTensor = (m) => {
      const t = createOutputTensor.call(b, m);
      step.dataIds.set(m.id, t.dataId);
      return t;
    };
    let out: T;
    try {
      out = fn();
      this.#finish(step);
    } catch (e) {
      if (step.recording) this.#materialize(step);
      throw e;
    } finally {
      this.#step = undefined;
      b.binding = this.#real;
      delete (b as Partial<NodeBackendInternals>).getInputTensorIds;
      delete (b as Partial<NodeBackendInternals>).createOutputTensor;
    }
    return out;
  }

  stats(): StepCompilerStats {
    return { ...this.#stats, fallbacks: [...this.#stats.fallbacks] };
  }

  /** Closes every compiled session (the backend stays usable; later steps compile again). */
  dispose(): void {
    for (const g of this.#graphs.splice(0)) this.#real.deleteSavedModel(g.session);
  }

  #makeShim(): Binding {
    const real = this.#real;
    const shim: Binding = Object.create(null);
    for (const k of Object.getOwnPropertyNames(real)) {
      const v = real[k];
      // Anything else that touches tensors (encoders, summaries, saved models) sees real ids.
      shim[k] = typeof v === 'function' ? (...args: unknown[]) => { this.#settle(); return (v as (...a: unknown[]) => unknown).apply(real, args); } : v;
    }
    shim.executeOp = (name, attrs, ids, n) => this.#execute(name, attrs, ids, n);
    shim.createTensor = (...args: unknown[]) => (real.createTensor as (...a: unknown[]) => number)(...args); // values from JS: fed to the graph
    shim.deleteTensor = (id) => {
      const s = this.#step;
      if (s?.recording) s.deferred.push(id); // may still be fed to the graph at the end of the step
      else real.deleteTensor(id);
    };
    shim.tensorDataSync = (id) => {
      const s = this.#step!;
      if (s.recording) this.#materialize(s, 'a value was read inside the step');
      return real.tensorDataSync(s.realOf.get(id) ?? id);
    };
    return shim;
  }

  #settle(): void {
    const s = this.#step;
    if (s?.recording && s.ops.length) this.#materialize(s, 'a binding call other than an op ran inside the step');
  }

  #execute(name: string, attrs: OpAttr[], ids: number[], n: number): Meta[] {
    const s = this.#step!;
    const k = s.ops.length;
    const firstNew = s.inputs.length;
    const inputs = ids.map((id) => s.refOf.get(id) ?? s.input(id));
    const key = `${name}|${n}|${inputs.map(refKey).join(',')}|${JSON.stringify(attrs)}`;
    if (s.recording) {
      s.candidates = s.candidates.filter((g) => g.keys[k] === key && s.inputs.slice(firstNew).every((inp, j) => {
        const want = g.graph.inputs[firstNew + j];
        return want !== undefined && sameSpec(want, inp.spec);
      }));
      const g = s.candidates[0];
      if (g) {
        const outs = g.outs[k]!;
        const metas = outs.map((o) => ({ id: nextFake--, shape: [...o.shape], dtype: o.dtype }));
        s.record({ name, attrs, key, ids, inputs, outIds: metas.map((m) => m.id), outs: [...outs] });
        return metas;
      }
      this.#materialize(s, `op #${k} (${name}) differs from every compiled graph`);
    }
    const real = ids.map((id) => s.realOf.get(id) ?? id);
    const metas = this.#real.executeOp(name, attrs, real, n);
    s.record({ name, attrs, key, ids: real, inputs, outIds: metas.map((m) => m.id), outs: metas.map((m) => ({ shape: m.shape, dtype: m.dtype })) });
    return metas;
  }

  /** Record mode → eager: executes the ops recorded so far, in order, and gives their tensors real ids. */
  #materialize(s: StepState, why?: string): void {
    if (!s.recording) return;
    s.recording = false;
    if (why && s.ops.length) this.#note(why);
    const b = this.#backend;
    s.ops.forEach((op, k) => {
      const metas = this.#real.executeOp(op.name, op.attrs, op.ids.map((id) => s.realOf.get(id) ?? id), op.outIds.length);
      metas.forEach((m, j) => {
        const fake = op.outIds[j]!;
        s.realOf.set(fake, m.id);
        s.refOf.set(m.id, { op: k, out: j });
        const dataId = s.dataIds.get(fake);
        const entry = dataId && b.tensorMap.has(dataId) ? b.tensorMap.get(dataId) : undefined; // get() of an unknown id would ask the engine to move it
        if (entry) {
          entry.id = m.id;
          s.dataIds.set(m.id, dataId!);
        } else {
          s.deferred.push(m.id); // disposed during the step, but later ops of the replay may read it
        }
      });
    });
    this.#flushDeletes(s);
  }

  #flushDeletes(s: StepState): void {
    for (const id of s.deferred.splice(0)) this.#real.deleteTensor(s.realOf.get(id) ?? id);
  }

  #finish(s: StepState): void {
    const alive = s.alive(this.#backend);
    const fetchKey = alive.map((a) => refKey(a.ref)).join(',');
    if (s.recording) {
      if (!s.ops.length) return this.#flushDeletes(s);
      const g = s.candidates.find((c) => c.graph.ops.length === s.ops.length && c.fetchKey === fetchKey);
      if (g && this.#runGraph(g, s, alive)) {
        this.#stats.compiledSteps += 1;
        return;
      }
      this.#materialize(s, g ? 'the compiled graph failed to run' : 'the step ended differently from every compiled graph');
    }
    this.#stats.eagerSteps += 1;
    this.#compile(s, alive.map((a) => a.ref), fetchKey);
  }

  #runGraph(g: Compiled, s: StepState, alive: { ref: Ref; id: number }[]): boolean {
    let metas: Meta[];
    try {
      metas = this.#real.runSavedModel(g.session, s.inputs.map((i) => i.id), g.feedNames, g.fetchNames);
    } catch (e) {
      this.#note(`a compiled graph failed (${(e as Error).message.split('\n')[0]}); it is dropped`);
      this.#rejected.add(g.key); // else the eager step that follows would compile it again, to fail again
      this.#drop(g);
      return false;
    }
    const b = this.#backend;
    alive.forEach((a, j) => {
      b.tensorMap.get(s.dataIds.get(a.id)!)!.id = metas[j]!.id;
    });
    g.lastUsed = ++this.#clock;
    s.recording = false;
    this.#flushDeletes(s);
    return true;
  }

  /** Turns an eagerly executed step into a compiled graph (unless it has one, or cannot have one). */
  #compile(s: StepState, fetches: Ref[], fetchKey: string): void {
    if (!s.ops.length || !fetches.length) return;
    const bad = s.inputs.find((i) => i.spec.dtype < 0);
    if (bad) return this.#note(`an input of dtype not float32/int32/bool (id ${bad.id}) keeps the step eager`);
    const keys = s.ops.map((o) => o.key);
    const graph: StepGraph = { ops: s.ops.map((o) => ({ name: o.name, attrs: o.attrs, inputs: o.inputs })), inputs: s.inputs.map((i) => i.spec), fetches };
    const key = `${keys.join('\n')}\n${graph.inputs.map((i) => `${i.dtype}:${i.shape.join('x')}`).join(',')}\n${fetchKey}`;
    if (this.#rejected.has(key) || this.#graphs.some((g) => g.key === key)) return;
    const dir = mkdtempSync(join(tmpdir(), 'kiln-step-graph-'));
    let session: number;
    try {
      mkdirSync(join(dir, 'variables'));
      writeFileSync(join(dir, 'saved_model.pb'), savedModelBytes(graph, TAG));
      session = this.#real.loadSavedModel(dir, TAG);
    } catch (e) {
      this.#rejected.add(key);
      return this.#note(`TensorFlow did not accept the traced graph (${(e as Error).message.split('\n')[0]}); the step stays eager`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    if (this.#graphs.length >= this.#maxGraphs) {
      this.#drop(this.#graphs.reduce((a, g) => (g.lastUsed < a.lastUsed ? g : a)));
    }
    this.#graphs.push({
      graph, keys, key, fetchKey, session, lastUsed: ++this.#clock, outs: s.ops.map((o) => o.outs),
      feedNames: graph.inputs.map((_, i) => `${inputName(i)}:0`).join(','), fetchNames: fetches.map(refName).join(','),
    });
    this.#stats.graphs += 1;
  }

  #drop(g: Compiled): void {
    this.#graphs.splice(this.#graphs.indexOf(g), 1);
    this.#real.deleteSavedModel(g.session);
  }

  #note(reason: string): void {
    const f = this.#stats.fallbacks;
    if (!f.includes(reason) && f.length < 20) f.push(reason);
  }
}

/** One step being recorded or run. */
class StepState {
  recording: boolean;
  candidates: Compiled[];
  readonly ops: RecordedOp[] = [];
  readonly inputs: { id: number; spec: TensorSpec }[] = [];
  readonly #inputIndex = new Map<number, number>();
  readonly refOf = new Map<number, Ref>();
  readonly realOf = new Map<number, number>();
  readonly dataIds = new Map<number, object>();
  readonly spec = new Map<number, TensorSpec>();
  readonly deferred: number[] = [];

  constructor(graphs: Compiled[]) {
    this.candidates = graphs;
    this.recording = graphs.length > 0;
  }

  /** The placeholder of a tensor from outside the step (`id` is real: tensors from earlier steps always are). */
  input(id: number): Ref {
    let i = this.#inputIndex.get(id);
    if (i === undefined) {
      i = this.inputs.length;
      this.#inputIndex.set(id, i);
      this.inputs.push({ id, spec: this.spec.get(id) ?? { shape: [], dtype: -1 } });
    }
    return { input: i };
  }

  record(op: RecordedOp): void {
    const k = this.ops.length;
    this.ops.push(op);
    op.outIds.forEach((id, j) => this.refOf.set(id, { op: k, out: j }));
  }

  /** Op outputs still held by a tfjs tensor at the end of the step, in op order. */
  alive(b: NodeBackendInternals): { ref: Ref; id: number }[] {
    const out: { ref: Ref; id: number }[] = [];
    this.ops.forEach((op, k) => op.outIds.forEach((id, j) => {
      const d = this.dataIds.get(id);
      if (d && b.tensorMap.has(d)) out.push({ ref: { op: k, out: j }, id });
    }));
    return out;
  }
}
