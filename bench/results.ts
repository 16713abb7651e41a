// The shapes of what the benchmark runners write to results/bench/*.json: each runner writes its own and
// report.ts reads them all, so they live here, below both.

import type { Row } from './figures';

/** What bench/backends.ts writes to results/bench/backends.json. */
export interface BackendsResult {
  at: string;
  sample: string;
  capS: number;
  pageRuns: PageRun[];
  /**
   * benchFigures results (figures 1 and 4) by WebAssembly thread count asked for, with the threads each
   * side really ran on (tfjs's pool as it reports it; onnxruntime-web's workers + 1).
   */
  threads?: Record<number, { rows: Row[]; used?: { tfjs?: number; onnxruntime?: number } }>;
  /** The page trained on wasm with each thread count (the worker's threads). */
  threadRuns?: PageRun[];
}

export interface PageRun {
  flags: 'default' | 'webgpu';
  requested: string;
  /** WebAssembly threads asked for with ?threads= (threads part only). */
  threads?: number;
  backend?: string;
  note?: string;
  selectionFirstMs?: number;
  selectionLaterMs?: number;
  /** Medians over the repeats; trainRuns has each repeat's Train → done. */
  trainS?: number;
  answerS?: number;
  trainRuns?: number[];
  /** Why the run has no time: the backend did not start, or it passed the cap. */
  stopped?: string;
}

/** What bench/bundle.ts writes to results/bench/bundle.json. */
export interface BundleSize {
  page: string;
  /** gzipped bytes of the page's entry script and the chunks it imports statically */
  firstScriptGz: number;
  /** gzipped bytes of the engine's worker script and the chunks it imports statically (0: no worker) */
  workerScriptGz: number;
  /** gzipped bytes of every JavaScript file of the build (workers and lazy chunks included) */
  allScriptGz: number;
  /** bytes of WebAssembly binaries (fetched only by the backend that uses them) */
  wasm: number;
}

export interface BundleResult {
  at: string;
  tarballBytes: number;
  sizes: BundleSize[];
  /** transformers.js's tokenizers module alone, gzipped, with onnxruntime-web and with the stand-in */
  tokenizerGz: { transformersJs: number; tokenizersJs: number };
}
