// The page behind index.html: loads the encoder from a URL base (default: the local copy of the
// default model) and compares sentences. Query parameters: ?model=<URL base>&backend=<name>.

import { type BackendName, cosineSimilarity, LanguageModel, parseModelSource } from '../index';
import { startBackend } from '../runtime/browser-backend';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = $<HTMLParagraphElement>('status');
const params = new URLSearchParams(location.search);

async function main(): Promise<void> {
  const report = await startBackend(params.get('backend') as BackendName | null);
  const backend = report.backend;
  const source = parseModelSource(params.get('model') ?? '/models/all-MiniLM-L6-v2');
  const model = await LanguageModel.load(source, {
    onProgress: (p) => {
      const pct = p.total ? ` ${Math.round((100 * p.loaded) / p.total)}%` : '';
      status.textContent = `Loading ${p.file}${pct} (${(p.overallLoaded / 1e6).toFixed(1)} MB)…`;
    },
  });
  const gpu = report.adapter
    ? ` (${report.adapter.vendor || 'unknown vendor'} ${report.adapter.architecture}${report.adapter.isFallback ? ', a software fallback adapter: correct but slow' : ''})`
    : '';
  const skipped = report.skipped.map((s) => ` ${s.backend} was skipped: ${s.reason}`).join('');
  status.textContent = `Ready on ${backend}${gpu}: ${model.config.numLayers} layers, d=${model.config.hiddenSize}.${skipped}`;
  document.body.dataset.adapter = JSON.stringify(report.adapter ?? null);
  document.body.dataset.backend = backend;
  const button = $<HTMLButtonElement>('compare');
  button.disabled = false;
  button.addEventListener('click', async () => {
    const sentences = $<HTMLTextAreaElement>('sentences')
      .value.split('\n')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    if (sentences.length === 0) {
      status.textContent = 'Type at least one sentence.';
      return;
    }
    const batch = model.tokenize(sentences);
    const rows = sentences.map((_, i) =>
      Array.from(batch.inputIds.subarray(i * batch.seqLen, i * batch.seqLen + batch.lengths[i]!)),
    );
    $('tokens').textContent = rows.map((r) => r.join(' ')).join('\n');
    const emb = await model.embed(sentences);
    const table = $<HTMLTableElement>('similarity');
    table.replaceChildren();
    for (const [i, a] of emb.entries()) {
      const tr = table.insertRow();
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = `${i + 1}`;
      tr.append(th);
      for (const b of emb) tr.insertCell().textContent = cosineSimilarity(a, b).toFixed(3);
    }
    document.body.dataset.done = 'true';
  });
}

main().catch((e: Error) => {
  status.textContent = `Error: ${e.message}`;
  document.body.dataset.error = e.message;
});
