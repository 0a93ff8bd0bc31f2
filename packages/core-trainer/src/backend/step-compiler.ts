import * as tf from '@tensorflow/tfjs-core';

/** What a step compiler did so far: steps run as compiled graphs, steps run eagerly, graphs built, and why steps fell back. */
export interface StepCompilerStats {
  readonly compiledSteps: number;
  readonly eagerSteps: number;
  readonly graphs: number;
  /** Distinct reasons a step ran eagerly although a graph existed (at most 20). */
  readonly fallbacks: readonly string[];
}

/**
 * A backend's way to run a training step as one compiled graph (Keras' compiled `fit`; the eager
 * path is its `run_eagerly=True`).
 *
 * Contract: `run(fn)` calls `fn` once, synchronously, and returns its result. Every tensor `fn`
 * leaves alive (variables it assigned, tensors it returned or kept) holds the values the eager
 * execution of `fn` gives; JS side effects of `fn` happen as usual. A step the compiler cannot
 * compile runs eagerly. Nested calls run `fn` as part of the outer step.
 */
export interface StepCompiler {
  run<T>(fn: () => T): T;
  stats(): StepCompilerStats;
}

const compilers = new Map<string, StepCompiler>();

/** Makes `compiler` the step compiler of the tfjs backend `backendName` (replacing any other; undefined removes it). */
export function registerStepCompiler(backendName: string, compiler: StepCompiler | undefined): void {
  if (compiler) compilers.set(backendName, compiler);
  else compilers.delete(backendName);
}

/** The step compiler of `backendName` (default: the active backend), if its plugin registered one. */
export function stepCompilerFor(backendName: string = tf.getBackend()): StepCompiler | undefined {
  return compilers.get(backendName);
}
