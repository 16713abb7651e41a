// transformers.js's feature-extraction pipeline over the ONNX export of the default model (npm run
// model:onnx writes it next to the safetensors weights), mean-pooled like our encoder: the baseline a
// user would otherwise pick. In Node it runs on onnxruntime-node.

import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { env, pipeline } from '@xenova/transformers';

export async function transformersJsEncoder(modelDir: string) {
  if (!existsSync(join(modelDir, 'onnx', 'model.onnx')))
    throw new Error(
      `No ONNX export in ${modelDir}/onnx: run npm run model:onnx (or pass --skip-transformers).`,
    );
  env.localModelPath = `${dirname(modelDir)}/`;
  env.allowRemoteModels = false;
  const extractor = await pipeline('feature-extraction', basename(modelDir), { quantized: false });
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
