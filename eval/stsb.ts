// STS-B dev: Spearman correlation between the cosine similarity of mean-pooled embeddings and the gold
// scores; a check that the weights are the real pretrained ones (random weights score near 0).
// Usage: npm run eval:stsb -- [--model ./models/all-MiniLM-L6-v2] [--backend wasm|cpu] [--limit N]

import { cosineSimilarity, type LanguageModel } from '../src/advanced';
import { checkFlags, flag } from '../tools/args';
import { modelFromFlags } from '../tools/model-flags';
import { readStsb } from './glue';
import { spearman } from './metrics';

checkFlags(import.meta.filename);

export async function stsbSpearman(
  model: LanguageModel,
  limit?: number,
): Promise<{ spearman: number; pairs: number }> {
  const pairs = readStsb('dev').slice(0, limit);
  const a = await model.embed(
    pairs.map((p) => p.a),
    { batchSize: 32 },
  );
  const b = await model.embed(
    pairs.map((p) => p.b),
    { batchSize: 32 },
  );
  const predicted = pairs.map((_, i) => cosineSimilarity(a[i]!, b[i]!));
  return {
    spearman: spearman(
      predicted,
      pairs.map((p) => p.score),
    ),
    pairs: pairs.length,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const limit = flag('limit', '') === '' ? undefined : Number(flag('limit', ''));
  const { backend, model } = await modelFromFlags();
  const started = performance.now();
  const result = await stsbSpearman(model, limit);
  const seconds = (performance.now() - started) / 1000;
  console.log(`| model | backend | STS-B dev pairs | Spearman | time |`);
  console.log(`|---|---|---|---|---|`);
  console.log(
    `| ${model.fingerprint.slice(0, 12)}… | ${backend} | ${result.pairs} | ${result.spearman.toFixed(4)} | ${seconds.toFixed(1)} s |`,
  );
  model.dispose();
}
