// The README's quickstart, line for line (tests/package.test.ts runs the README's copy in an empty
// project with the package installed). Here: npx tsx examples/quickstart.ts, after npm run model:fetch.

import { createPersonalizer } from 'xpeft-web';

const filter = await createPersonalizer({ task: { kind: 'classification', labels: ['show', 'hide'] } });
const history = [
  { text: 'You are an idiot and everyone knows it.', label: 'hide' },
  { text: 'Thanks for sharing, this was really helpful.', label: 'show' },
  { text: 'Shut up, nobody asked for your opinion.', label: 'hide' },
  { text: 'Congratulations on the new job!', label: 'show' },
];
const { profile } = await filter.train(history, { epochs: 10, heldOutFraction: 0 });
const [answer] = await filter.predict(profile, ['Get lost, you clown.']);
console.log(answer, `profile: ${profile.sizes().total} bytes`);
await filter.dispose();
