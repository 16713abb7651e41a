// Headless Debian Chromium through playwright-core, with WebGPU enabled (SwiftShader on machines
// without a GPU) and no background traffic.

import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A fresh Chromium profile; `webgpu: false` leaves WebGPU at Chromium's default (off on Linux). */
export async function launchBrowser(options: { webgpu?: boolean } = {}): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: install it (apt-get install -y chromium) or set CHROMIUM_PATH.`,
    );
  }
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'xpeft-chromium-')), {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      ...(options.webgpu === false ? [] : ['--enable-unsafe-webgpu']),
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  });
}
