// transformers.js's feature-extraction pipeline over an ONNX export of the same weights (npm run
// model:onnx writes models/<name>/onnx/model.onnx), mean-pooled like our encoder: the library a user
// would otherwise pick. It runs on onnxruntime-node in Node and onnxruntime-web (wasm) in a browser.

import { env, pipeline } from '@xenova/transformers';
import type { ReferenceEncoder } from './figures';

export interface ReferenceSource {
  /** Folder or URL holding one folder per model (transformers.js's localModelPath). */
  localModelPath: string;
  name: string;
  /** Browser only: where onnxruntime-web's .wasm files are served (the default is a CDN). */
  wasmPaths?: string;
  /** Browser only: onnxruntime-web's WebAssembly threads (more than one needs cross-origin isolation). */
  threads?: number;
}

export async function transformersJsEncoder(source: ReferenceSource): Promise<ReferenceEncoder> {
  env.localModelPath = source.localModelPath;
  env.allowRemoteModels = false;
  if (source.wasmPaths) {
    env.backends.onnx.wasm.wasmPaths = source.wasmPaths;
    env.backends.onnx.wasm.numThreads = source.threads ?? 1;
  }
  const extractor = await pipeline('feature-extraction', source.name, { quantized: false });
  return {
    async embed(texts: string[]): Promise<Float32Array[]> {
      const out = await extractor(texts, { pooling: 'mean', normalize: false });
      const [rows, width] = out.dims as [number, number];
      return Array.from({ length: rows }, (_, i) =>
        (out.data as Float32Array).slice(i * width, (i + 1) * width),
      );
    },
    dispose: () => extractor.dispose(),
  };
}
