// Headlines a reader would open, learnt in the browser from what they opened yesterday. Built with
// esbuild (build.mjs), which bundles this file and worker.ts and leaves `new URL(…, import.meta.url)`
// alone, so the page hands the engine its own worker and build.mjs copies the package's wasm files.

import { createPersonalizer, type Profile } from 'xpeft-web';

const status = document.querySelector<HTMLParagraphElement>('#status')!;
const loading = document.querySelector<HTMLProgressElement>('#loading')!;
const learn = document.querySelector<HTMLButtonElement>('#learn')!;
const read = [...document.querySelectorAll<HTMLLIElement>('#read li')];
const today = [...document.querySelectorAll<HTMLLIElement>('#today li')];
const say = (text: string) => {
  status.textContent = text;
};

const reader = await createPersonalizer({
  task: { kind: 'classification', labels: ['skip', 'open'] },
  worker: () => new Worker(new URL('./worker.js', import.meta.url), { type: 'module' }),
  onProgress: (p) => {
    loading.value = p.progress;
    say(
      p.phase === 'ready'
        ? 'Tick what you opened, then press "Learn what I read".'
        : `Loading the ${p.phase}…`,
    );
  },
});
learn.disabled = false;

learn.addEventListener('click', async () => {
  learn.disabled = true;
  const history = read.map((li) => ({
    text: li.textContent!.trim(),
    label: li.querySelector('input')!.checked ? 'open' : 'skip',
  }));
  try {
    const { profile } = await reader.train(history, {
      mask: { mode: 'hard', k: 10 },
      epochs: 10,
      heldOutFraction: 0,
    });
    await show(profile);
  } catch (e) {
    say(`Could not learn: ${(e as Error).message}`);
  } finally {
    learn.disabled = false;
  }
});

async function show(profile: Profile): Promise<void> {
  const answers = await reader.predict(
    profile,
    today.map((li) => li.textContent!.trim()),
  );
  answers.forEach((answer, i) => {
    today[i]!.classList.toggle('pick', answer.kind === 'label' && answer.label === 'open');
  });
  const picks = today.filter((li) => li.classList.contains('pick'));
  say(`${picks.length} of ${today.length} of today's stories are picked for you.`);
  document.body.dataset.picks = picks.map((li) => li.textContent).join('\n');
}
