// A comment section with a personal filter: the reader ticks the comments they would rather not see,
// X-PEFT Web learns their taste on this device, and new comments it predicts they would tick are hidden.
// The model, the bank and the profile never leave the browser.

import { createPersonalizer, type Example, type Profile } from 'xpeft-web';

const status = document.querySelector<HTMLParagraphElement>('#status')!;
const learn = document.querySelector<HTMLButtonElement>('#learn')!;
const teach = [...document.querySelectorAll<HTMLLIElement>('#teach li')];
const comments = [...document.querySelectorAll<HTMLLIElement>('#comments li')];
const say = (text: string) => {
  status.textContent = text;
};

const filter = await createPersonalizer({
  task: { kind: 'classification', labels: ['show', 'hide'] },
  onProgress: (p) => say(`Loading the filter: ${p.file}…`),
});

// A filter kept from an earlier visit applies at once.
const [kept] = await filter.profiles.list();
if (kept) await apply(await filter.profiles.load(kept.id));
else say('Tick what you would rather not see, then press "Learn my filter".');
learn.disabled = false;

learn.addEventListener('click', async () => {
  learn.disabled = true;
  const history: Example[] = teach.map((li) => ({
    text: li.textContent!.trim(),
    label: li.querySelector('input')!.checked ? 'hide' : 'show',
  }));
  try {
    const { profile } = await filter.train(history, {
      mask: { mode: 'hard', k: 10 },
      epochs: 10,
      heldOutFraction: 0,
      onProgress: (p) => say(`Learning your filter: step ${p.step} of ${p.totalSteps}…`),
    });
    await filter.profiles.save('My filter', profile, { id: kept?.id });
    await apply(profile);
  } catch (e) {
    say(`The filter could not learn: ${(e as Error).message}`);
  } finally {
    learn.disabled = false;
  }
});

async function apply(profile: Profile): Promise<void> {
  const answers = await filter.predict(
    profile,
    comments.map((li) => li.textContent!.trim()),
  );
  let hidden = 0;
  answers.forEach((answer, i) => {
    const hide = answer.kind === 'label' && answer.label === 'hide';
    comments[i]!.hidden = hide;
    hidden += hide ? 1 : 0;
  });
  say(
    `Your filter hides ${hidden} of ${comments.length} new comments (${profile.sizes().total} bytes, kept on this device).`,
  );
  document.body.dataset.hidden = comments
    .filter((li) => li.hidden)
    .map((li) => li.textContent)
    .join('\n');
}
