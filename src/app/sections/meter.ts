// The privacy counter in the header: what this page has sent to any server, in all and while training
// and predicting, from the service worker's reports (see network-meter.ts).

import type { Dom } from '../dom';
import { formatBytes } from '../dom';
import type { PageHooks } from '../hooks';
import { NetworkMeter } from '../network-meter';

export function meterView(dom: Dom, hooks: PageHooks): NetworkMeter {
  const origin = dom.window.location.origin;
  return new NetworkMeter((m) => {
    if (!m.measuring) {
      dom.byId('sent-during').textContent = 'not measured';
      dom.byId('sent-total').textContent =
        'No service worker controls this visit (a hard reload bypasses it), so requests are not counted; a normal reload counts them.';
      hooks.set('sentDuringJobs', undefined);
      hooks.set('requests', undefined);
      return;
    }
    const during = m.duringJobs.length;
    const others = [...new Set(m.all.map((r) => new URL(r.url).origin))].filter((o) => o !== origin);
    dom.byId('sent-during').textContent =
      `${formatBytes(m.sentDuringJobs)} (${during} request${during === 1 ? '' : 's'})`;
    dom.byId('sent-total').textContent =
      `Since the page opened: ${m.all.length} request${m.all.length === 1 ? '' : 's'} for the app, model, banks and samples, ` +
      (others.length === 0
        ? 'all to this page’s own server.'
        : `to this page’s server and ${others.join(', ')}.`);
    hooks.set('sentDuringJobs', m.sentDuringJobs);
    hooks.set('requests', m.all.length);
  });
}
