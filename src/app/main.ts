// The demo page: load the model and the trained bank of each kind of answer (cached after the first
// visit), collect a person's examples, train their mask in a worker, compare the generic answer (the
// untouched model with the bank's population head) with the personal one, and keep, share and import
// profiles. Query parameters: ?model=<URL base>&banks=<URL base>&backend=<webgpu|webgl|wasm|cpu>
// &threads=<WebAssembly threads>.

import type { BackendName } from '../backend/backends';
import { DEFAULT_MODEL_FOLDER, knownPins } from '../model/known';
import { profileFromString, profileSizes } from '../profile/format';
import { Profile } from '../profile/profile';
import { enableOffline, serviceWorkerClientId } from '../runtime/offline';
import { RemoteEngine } from '../runtime/remote-engine';
import {
  deleteProfile,
  listProfiles,
  loadHistory,
  loadProfile,
  type StoredProfileInfo,
  saveProfile,
} from '../runtime/storage';
import type { TrainOptions, TrainProgress } from '../training/options';
import { MIN_HELD_OUT } from '../xpeft/held-out';
import { taskOutputs } from '../xpeft/task';
import { TrainingChart } from './chart';
import { describeBackendChange, describeSizes, explainBackend, formatAnswer } from './describe';
import { byId, formatBytes, formatDuration, h } from './dom';
import { HistoryView } from './history-view';
import { maskPicture } from './mask-picture';
import { NetworkMeter } from './network-meter';
import {
  PAGE_BANKS_FORMAT,
  type PageBank,
  type PageBankIndex,
  PRESETS,
  type Preset,
  presetById,
} from './presets';
import { readShared, shareLink, sourceBase } from './share';

const params = new URLSearchParams(location.search);
/** Origins besides the page's own that ?model= and ?banks= may name (none: everything is served here). */
const ALLOWED_SOURCE_ORIGINS: readonly string[] = [];
/** A ?model= or ?banks= value, refused (the page shows why, and loads nothing) unless it is allowed. */
function sourceParam(name: string, fallback: string): string {
  const checked = sourceBase(params.get(name) ?? fallback, location.origin, ALLOWED_SOURCE_ORIGINS);
  if ('refused' in checked) throw new Error(`?${name}= is refused: ${checked.refused}`);
  return checked.base;
}
let MODEL = `/models/${DEFAULT_MODEL_FOLDER}`;
let BANKS = '/banks';
const MODEL_CACHE = 'xpeft-models';
const HELD_OUT_FRACTION = 0.2;

interface Person {
  id: string;
  name: string;
  preset: Preset;
  profile: Profile;
}

let base: RemoteEngine | undefined;
let banks: PageBankIndex | undefined;
const engines = new Map<Preset['id'], Promise<RemoteEngine>>();
let person: Person | undefined;
let training: AbortController | undefined;
const history = new HistoryView(PRESETS[0]!);
const chart = new TrainingChart(byId<HTMLCanvasElement>('chart'));
const meter = new NetworkMeter((m) => {
  if (!m.measuring) {
    byId('sent-during').textContent = 'not measured';
    byId('sent-total').textContent =
      'No service worker controls this visit (a hard reload bypasses it), so requests are not counted; a normal reload counts them.';
    delete document.body.dataset.sentDuringJobs;
    delete document.body.dataset.requests;
    return;
  }
  const during = m.duringJobs.length;
  const origins = [...new Set(m.all.map((r) => new URL(r.url).origin))];
  const others = origins.filter((o) => o !== location.origin);
  byId('sent-during').textContent =
    `${formatBytes(m.sentDuringJobs)} (${during} request${during === 1 ? '' : 's'})`;
  byId('sent-total').textContent =
    `Since the page opened: ${m.all.length} request${m.all.length === 1 ? '' : 's'} for the app, model, banks and samples, ` +
    (others.length === 0
      ? 'all to this page’s own server.'
      : `to this page’s server and ${others.join(', ')}.`);
  document.body.dataset.sentDuringJobs = String(m.sentDuringJobs);
  document.body.dataset.requests = String(m.all.length);
});

const presetSelect = byId<HTMLSelectElement>('preset');
presetSelect.replaceChildren(...PRESETS.map((p) => h('option', { value: p.id }, p.question)));
presetSelect.addEventListener('change', () => setPreset(presetById(presetSelect.value)));
history.setPreset(PRESETS[0]!);

function setPreset(preset: Preset): void {
  history.setPreset(preset);
  showBank(preset);
}

/** The trained bank of a kind of answer, from banks/index.json. */
function bankOf(preset: Preset): PageBank {
  const bank = banks?.banks[preset.id];
  if (!bank) throw new Error(`This page has no trained bank for "${preset.question}".`);
  return bank;
}

const bankSpec = (preset: Preset) =>
  ({ kind: 'file', source: { kind: 'url', base: BANKS }, file: bankOf(preset).file }) as const;

/** The engine for a kind of answer: the loaded one, or a variant with that answer's bank file, made once. */
function engineFor(preset: Preset): Promise<RemoteEngine> {
  let e = engines.get(preset.id);
  if (!e) {
    e = base!.variant({ task: preset.task, bank: bankSpec(preset) });
    e.catch(() => engines.delete(preset.id));
    engines.set(preset.id, e);
  }
  return e;
}

/** What the bank behind an answer is, and the bytes a personal bias or head adds to a profile. */
function showBank(preset: Preset): void {
  if (!banks || !base) return;
  const bank = bankOf(preset);
  const { sites } = bank;
  const { d } = base.info.shape;
  const outputs = taskOutputs(preset.task);
  const head = { inputs: d, outputs, weight: new Float32Array(d * outputs), bias: new Float32Array(outputs) };
  const adds = (sizes: { head: number }) => ` (+${formatBytes(sizes.head)})`;
  const options = byId<HTMLSelectElement>('personal-head').options;
  const label = (value: string, bytes: string) => {
    const option = [...options].find((o) => o.value === value)!;
    option.textContent = option.textContent!.replace(/ \(\+.*\)$/, '') + bytes;
  };
  label('offset', adds(profileSizes({ mode: 'hard', sites, n: bank.n, offset: new Float32Array(outputs) })));
  label('profile', adds(profileSizes({ mode: 'hard', sites, n: bank.n, head })));
  const k = byId<HTMLInputElement>('k');
  k.max = String(bank.n);
  if (Number(k.value) > bank.n) k.value = String(bank.n);
  const p = bank.population;
  say(
    'bank-note',
    `Bank: ${bank.n} adapters, each trained on one person of ${bank.dataset}. The generic answer is the untouched model with a head fitted on ${p.labels.toLocaleString('en')} answers by ${p.people.toLocaleString('en')} people; the page's sample people are none of them.`,
  );
}

async function readBanks(): Promise<PageBankIndex> {
  const missing = 'This page has no trained banks: run `npm run bank:build` (npm start builds them).';
  const res = await fetch(`${BANKS}/index.json`).catch(() => undefined);
  if (!res?.ok) throw new Error(missing);
  const index = (await res.json()) as PageBankIndex;
  if (index.format !== PAGE_BANKS_FORMAT) throw new Error(`${missing} (found format ${index.format})`);
  return index;
}

function say(id: string, text: string, isError = false): void {
  const el = byId(id);
  el.textContent = text;
  el.classList.toggle('error', isError);
}

async function load(): Promise<void> {
  MODEL = sourceParam('model', MODEL);
  BANKS = sourceParam('banks', BANKS);
  try {
    const { failed, controlled } = await enableOffline();
    say(
      'offline-status',
      !controlled
        ? 'This visit was not kept for offline use (a hard reload bypasses the offline copy); a normal reload keeps it.'
        : failed.length === 0
          ? 'This page works offline after this visit.'
          : `Offline use is incomplete: ${failed.length} files could not be kept.`,
    );
  } catch (e) {
    say('offline-status', `Offline use is not available: ${(e as Error).message}`);
  }
  meter.start(await serviceWorkerClientId());
  const files = new Map<string, HTMLLIElement>();
  say('status', 'Choosing the fastest backend on this device, then loading the model and the adapter bank…');
  banks = await readBanks();
  const pinned = knownPins(MODEL);
  base = await RemoteEngine.create({
    model: { kind: 'url', base: MODEL },
    bank: bankSpec(PRESETS[0]!),
    task: PRESETS[0]!.task,
    cacheName: MODEL_CACHE,
    ...(pinned ? { pinned } : {}),
    ...(params.get('backend') ? { backend: params.get('backend') as BackendName } : {}),
    ...(Number(params.get('threads')) > 0 ? { threads: Number(params.get('threads')) } : {}),
    onWorkerStart: (id) => meter.claim(id),
    onBackendChange: (change) => {
      say('backend-note', describeBackendChange(change));
      document.body.dataset.backend = change.to.backend;
    },
    onProgress: (p) => {
      let li = files.get(p.file);
      if (!li) {
        li = h('li');
        files.set(p.file, li);
        byId('files').append(li);
      }
      const bar = h('progress', { max: String(p.total ?? 1), value: String(p.total ? p.loaded : 0) });
      bar.setAttribute('aria-label', p.file);
      const pct = p.total ? ` (${Math.round((100 * p.loaded) / p.total)}%)` : '';
      li.replaceChildren(
        `${p.file}: ${formatBytes(p.loaded)}${p.total ? ` of ${formatBytes(p.total)}` : ''}${pct} `,
        bar,
      );
    },
  });
  engines.set(PRESETS[0]!.id, Promise.resolve(base));
  say(
    'status',
    `Ready. Model ${base.info.modelFingerprint.slice(0, 12)}…, ${base.info.shape.sites} adapter sites.`,
  );
  showBank(presetById(presetSelect.value));
  say('backend-note', explainBackend(base.info.backend));
  document.body.dataset.backend = base.info.backend.backend;
  document.body.dataset.backendSelectionMs = String(Math.round(base.info.backend.selectionMs));
  await history.loadIndex();
  await refreshPeople();
  for (const id of ['train-go', 'try-go']) byId<HTMLButtonElement>(id).disabled = false;
  if (location.hash.includes('profile=')) {
    const shared = readShared(location.hash);
    window.history.replaceState(null, '', location.pathname + location.search); // imported once, not on reload
    if (shared) await importProfileText(shared.profile, shared.name ?? 'Shared profile', true);
  }
  document.body.dataset.ready = 'true';
}

// ---- people ----

async function refreshPeople(people?: StoredProfileInfo[]): Promise<void> {
  people ??= await listProfiles();
  byId('people-empty').hidden = people.length > 0;
  byId('people').replaceChildren(...people.map(personItem));
}

function personItem(p: StoredProfileInfo): HTMLLIElement {
  const button = h(
    'button',
    { type: 'button', 'aria-pressed': String(person?.id === p.id), 'data-id': p.id },
    `${p.name} · ${p.mode} mask · ${formatBytes(p.bytes)}`,
  );
  button.addEventListener('click', () => void run('person-message', () => selectPerson(p.id)));
  return h('li', {}, button);
}

async function selectPerson(id: string): Promise<void> {
  const profile = await loadProfile(id);
  const preset = presetOf(profile);
  const people = await listProfiles();
  const info = people.find((p) => p.id === id)!;
  person = { id, name: info.name, preset, profile };
  byId<HTMLInputElement>('person-name').value = info.name;
  if (presetSelect.value !== preset.id) {
    presetSelect.value = preset.id;
    setPreset(preset);
  }
  const kept = await loadHistory(id);
  if (kept) history.set(kept);
  showProfile();
  await refreshPeople(people);
  say(
    'person-message',
    `Now using ${info.name}.${kept ? ` Their ${kept.length} kept examples are loaded.` : ''}`,
  );
}

/** The kind of answer a profile gives: the one whose bank it was trained over. */
function presetOf(profile: Profile): Preset {
  const preset = PRESETS.find((p) => banks?.banks[p.id]?.fingerprint === profile.data.bankFingerprint);
  if (!preset)
    throw new Error(
      `This profile was made for bank ${profile.data.bankFingerprint}, which this page does not have; it was made by another application or another build of the banks.`,
    );
  return preset;
}

/**
 * The largest profile this page can use: soft scores over the widest bank, with a head of its own. A
 * file or link longer than this is refused before it is decoded.
 */
function largestProfileBytes(): number {
  const { d } = base!.info.shape;
  return Math.max(
    ...PRESETS.map((preset) => {
      const outputs = taskOutputs(preset.task);
      const head = { inputs: d, outputs, weight: new Float32Array(0), bias: new Float32Array(0) };
      const { sites, n } = bankOf(preset);
      return profileSizes({ mode: 'soft', sites, n, head }).total;
    }),
  );
}

/**
 * Checks a profile in full against this page's model, bank and task (fingerprints, sites, N, head or
 * bias shape) before keeping it; one that arrived by link is kept only if the user agrees.
 */
async function importProfileBytes(bytes: Uint8Array, name: string, arrivedByLink: boolean): Promise<void> {
  await run('person-message', async () => {
    const limit = largestProfileBytes();
    if (bytes.byteLength > limit)
      throw new Error(
        `This profile is ${formatBytes(bytes.byteLength)}; no profile for this page's banks is over ${formatBytes(limit)}, so it was not read.`,
      );
    const profile = Profile.fromBytes(bytes);
    const preset = presetOf(profile);
    (await engineFor(preset)).importProfile(profile.toBytes());
    if (
      arrivedByLink &&
      !window.confirm(
        `A link brings a profile named "${name}" (${formatBytes(bytes.byteLength)}). Keep it on this device?`,
      )
    ) {
      say('person-message', 'The linked profile was not kept.');
      return;
    }
    const saved = await saveProfile(name, profile);
    await selectPerson(saved.id);
    say('person-message', `Imported ${saved.name} (${formatBytes(saved.bytes)}).`);
  });
}

/** A profile's text (from a link or pasted): its length is checked before it is decoded. */
async function importProfileText(text: string, name: string, arrivedByLink: boolean): Promise<void> {
  // Base64url: 4 characters per 3 bytes.
  if (text.length > Math.ceil((largestProfileBytes() * 4) / 3) + 4)
    return say(
      'person-message',
      `This profile text is ${text.length.toLocaleString('en')} characters, longer than any profile for this page's banks; it was not read.`,
      true,
    );
  await run('person-message', async () => {
    await importProfileBytes(profileFromString(text), name, arrivedByLink);
  });
}

byId('import-link-go').addEventListener('click', () => {
  const shared = readShared(byId<HTMLInputElement>('import-link').value);
  if (!shared) return say('person-message', 'Paste a share link or a profile text first.', true);
  void importProfileText(shared.profile, shared.name ?? 'Imported profile', false);
});
byId<HTMLInputElement>('import-file').addEventListener('change', async (e) => {
  const input = e.target as HTMLInputElement;
  const file = input.files?.[0];
  input.value = '';
  if (!file) return;
  if (file.size > largestProfileBytes())
    return say(
      'person-message',
      `${file.name} is ${formatBytes(file.size)}, larger than any profile for this page's banks; it was not read.`,
      true,
    );
  await importProfileBytes(
    new Uint8Array(await file.arrayBuffer()),
    file.name.replace(/\.xpeft$/, ''),
    false,
  );
});
byId('delete-profile').addEventListener('click', () =>
  run('person-message', async () => {
    if (!person) return;
    const name = person.name;
    await deleteProfile(person.id);
    person = undefined;
    showProfile();
    await refreshPeople();
    say('person-message', `Deleted ${name} from this device.`);
  }),
);

// ---- training ----

function trainOptions(preset: Preset): TrainOptions {
  const n = bankOf(preset).n;
  const k = Number(byId<HTMLInputElement>('k').value);
  const epochs = Number(byId<HTMLInputElement>('epochs').value);
  const mode = byId<HTMLSelectElement>('mode').value as 'hard' | 'soft';
  if (!(Number.isInteger(k) && k >= 1 && k <= n))
    throw new Error(`k must be a whole number from 1 to N=${n}.`);
  if (!(Number.isInteger(epochs) && epochs >= 1 && epochs <= 50))
    throw new Error('Epochs must be a whole number from 1 to 50.');
  return {
    mask: { mode, k },
    // What the profile keeps beside its mask: nothing (the bank's population head), a bias, or a head.
    head: byId<HTMLSelectElement>('personal-head').value as NonNullable<TrainOptions['head']>,
    epochs,
    batchSize: 16,
    maxLength: 64,
    heldOutFraction: HELD_OUT_FRACTION,
    seed: 0,
  };
}

let lastScoredEpoch = 0;

function showProgress(p: TrainProgress, scoreName: string): void {
  byId<HTMLProgressElement>('train-progress').value = p.step / p.totalSteps;
  chart.addLoss(p.step, p.loss);
  // A held-out score arrives with the first step after its epoch ends: one point per epoch.
  if (p.heldOut && p.epoch - 1 > lastScoredEpoch) {
    lastScoredEpoch = p.epoch - 1;
    chart.addScore(p.step, p.heldOut.value);
  }
  const score = p.heldOut ? `, ${scoreName} ${p.heldOut.value.toFixed(3)}` : '';
  say(
    'train-status',
    `Epoch ${p.epoch} of ${p.epochs}, step ${p.step} of ${p.totalSteps}: loss ${p.loss.toFixed(3)}${score}. About ${formatDuration(p.etaMs)} left.`,
  );
}

async function trainPerson(): Promise<void> {
  const preset = presetById(presetSelect.value);
  const name = byId<HTMLInputElement>('person-name').value.trim();
  if (name.length === 0) throw new Error('Give this person a name first.');
  const options = trainOptions(preset);
  const engine = await engineFor(preset);
  const examples = [...history.items];
  // Whom the result is for is decided now, not when training ends: the same name and kind of answer as
  // the selected person replaces their profile; anything else makes a new person.
  const replaces = person && person.name === name && person.preset.id === preset.id ? person.id : undefined;
  const scoreName = preset.task.kind === 'regression' ? 'held-out mean squared error' : 'held-out accuracy';
  chart.reset(scoreName);
  lastScoredEpoch = 0;
  const keep = byId<HTMLInputElement>('keep-history').checked;
  if (examples.length < MIN_HELD_OUT / HELD_OUT_FRACTION)
    say('train-status', `Training on all ${examples.length} examples (no held-out score below 40).`);
  training = new AbortController();
  setTraining(true);
  try {
    const { profile, report } = await meter.during(() =>
      engine.train(examples, {
        ...options,
        signal: training!.signal,
        onProgress: (p) => showProgress(p, scoreName),
      }),
    );
    const saved = await saveProfile(name, profile, {
      ...(replaces ? { id: replaces } : {}),
      ...(keep ? { history: examples } : {}),
    });
    await selectPerson(saved.id);
    const last = report.heldOut.at(-1);
    if (last !== undefined && report.heldOut.length > lastScoredEpoch) chart.addScore(report.steps, last);
    const best = report.heldOut[report.bestEpoch - 1];
    say(
      'train-status',
      `Trained in ${formatDuration(report.elapsedMs)} (${report.steps} steps)` +
        (best === undefined ? '.' : `; kept epoch ${report.bestEpoch}, ${scoreName} ${best.toFixed(3)}.`),
    );
    document.body.dataset.trained = String(Number(document.body.dataset.trained ?? 0) + 1);
  } catch (e) {
    if ((e as Error).name === 'AbortError')
      say('train-status', 'Training was cancelled; the previous profile is unchanged.');
    else throw e;
  } finally {
    training = undefined;
    setTraining(false);
  }
}

/** Locks what must not change while a profile trains (who, what, the examples, the options) or unlocks it. */
function setTraining(on: boolean): void {
  for (const group of document.querySelectorAll<HTMLFieldSetElement>('[data-locked-while-training]'))
    group.disabled = on;
  byId<HTMLButtonElement>('train-go').disabled = on;
  byId<HTMLButtonElement>('train-cancel').disabled = !on;
  if (on) byId('train-cancel').focus();
}

byId('train-go').addEventListener('click', () => void run('train-status', trainPerson));
byId('train-cancel').addEventListener('click', () => training?.abort());

// ---- comparing ----

async function compare(): Promise<void> {
  const text = byId<HTMLTextAreaElement>('try-text').value.trim();
  if (text.length === 0) throw new Error('Type a text to compare.');
  if (!person) throw new Error('Train or pick a person first.');
  const { preset, profile, name } = person;
  const engine = await engineFor(preset);
  const [[mine], [theirs]] = await meter.during(() =>
    Promise.all([engine.predict(profile, [text]), engine.predictFrozen([text])]),
  );
  byId('answer-who').textContent = name;
  byId('answer-personal').textContent = formatAnswer(preset, mine!);
  byId('answer-generic').textContent = formatAnswer(preset, theirs!);
  say('try-status', '');
  document.body.dataset.compared = String(Number(document.body.dataset.compared ?? 0) + 1);
}

byId('try-go').addEventListener('click', () => void run('try-status', compare));

// ---- the profile ----

byId('export-file').addEventListener('click', () => {
  if (!person) return;
  const url = URL.createObjectURL(
    new Blob([person.profile.toBytes() as BlobPart], { type: 'application/octet-stream' }),
  );
  const a = h('a', { href: url, download: `${person.name.replace(/[^\w.-]+/g, '_')}.xpeft` });
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
});

function showProfile(): void {
  byId('profile-none').hidden = person !== undefined;
  byId('profile-details').hidden = person === undefined;
  if (!person || !base) return;
  const { profile, name } = person;
  byId('sizes').textContent = describeSizes(profile, name, base.info.shape);
  const { svg, caption } = maskPicture(profile);
  byId('mask').replaceChildren(svg);
  byId('mask-caption').textContent = caption;
  byId<HTMLInputElement>('share-link').value = shareLink(location.href, profile.toString(), name);
  byId('answer-who').textContent = name;
}

/** Runs an action, showing its error (if any) in plain words next to the control that started it. */
async function run(where: string, action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (e) {
    say(where, `${(e as Error).message}`, true);
  }
}

load().catch((e: Error) => {
  say('status', `The model could not be loaded: ${e.message}`, true);
  document.body.dataset.error = e.message;
});
