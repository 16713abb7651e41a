// Train a personal X-PEFT profile in Node on the default model, save it, load it back and predict.
// Run: npx tsx examples/quickstart.ts   (after npm run model:fetch)

import { Engine, type Example, LanguageModel, type Profile, useBackend } from '../src/advanced';

await useBackend('wasm');
const model = await LanguageModel.load({ kind: 'dir', path: './models/all-MiniLM-L6-v2' });
const engine = await Engine.load({
  model,
  bank: { kind: 'random', seed: 1, n: 100 }, // regenerated from its recipe: nothing to download
  task: { kind: 'classification', labels: ['dislike', 'like'] },
});

const history: Example[] = [
  { text: 'A warm, funny film with a wonderful cast.', label: 'like' },
  { text: 'Two hours of my life I will never get back.', label: 'dislike' },
  { text: 'The soundtrack alone is worth the ticket.', label: 'like' },
  { text: 'Flat characters and a plot full of holes.', label: 'dislike' },
  { text: 'I laughed from start to finish.', label: 'like' },
  { text: 'Tedious, predictable and far too long.', label: 'dislike' },
  { text: 'A clever script, beautifully shot.', label: 'like' },
  { text: 'The acting is wooden and the jokes fall flat.', label: 'dislike' },
];

const { profile, report } = await engine.train(history, {
  mask: { mode: 'hard', k: 10 },
  epochs: 8,
  batchSize: 4,
  heldOutFraction: 0,
  onProgress: (p) => console.log(`step ${p.step}/${p.totalSteps} loss ${p.loss.toFixed(3)}`),
});
console.log(`trained in ${(report.elapsedMs / 1000).toFixed(1)} s; profile ${profile.sizes().total} bytes`);

const saved = profile.toString(); // URL-safe; Profile.toBytes() gives the binary form
const restored: Profile = engine.importProfile(saved); // refused if made for another model or bank
for (const p of await engine.predict(restored, ['What a delightful surprise.', 'A boring mess.']))
  console.log(p);

engine.dispose();
model.dispose();
