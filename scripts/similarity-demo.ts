// A command-line check of the encoder: load the default model from the local models folder (`npm run
// model:fetch` puts it there) and print embeddings and cosine similarities for a few sentences, on wasm.
// Usage: npm run similarity -- [--model ./models/all-MiniLM-L6-v2] [--backend wasm|cpu] [sentences…]

import { cosineSimilarity } from '../src/advanced';
import { checkFlags, positionals } from '../tools/args';
import { modelFromFlags } from '../tools/model-flags';

checkFlags(import.meta.filename);

const given = positionals();
const sentences =
  given.length > 0
    ? given
    : [
        'A man is playing a guitar.',
        'Someone is playing an instrument.',
        'The stock market fell sharply today.',
        'Shares dropped at the close of trading.',
      ];

const started = performance.now();
const { backend, model } = await modelFromFlags();
console.log(
  `Loaded ${model.config.numLayers} layers, d=${model.config.hiddenSize}, weights sha256 ${model.fingerprint} ` +
    `on ${backend} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
const embeddings = await model.embed(sentences);
sentences.forEach((s, i) => {
  const head = Array.from(embeddings[i]!.slice(0, 4), (v) => v.toFixed(4)).join(', ');
  console.log(`[${i + 1}] ${s}\n    embedding[0..4] = ${head}, …`);
});
console.log('\ncosine similarity');
console.log(`     ${sentences.map((_, i) => `[${i + 1}]`.padStart(7)).join('')}`);
embeddings.forEach((a, i) => {
  console.log(`[${i + 1}]  ${embeddings.map((b) => cosineSimilarity(a, b).toFixed(3).padStart(7)).join('')}`);
});
model.dispose();
