// The engine's version (package.json's): part of the key under which a device's backend choice is kept.
export const VERSION = '0.1.0';

declare const __APP_BUILD__: string | undefined;

/** The page's build (a digest of its sources, set by vite.config.ts); 'dev' where Vite did not build it. */
export const BUILD: string = typeof __APP_BUILD__ === 'string' ? __APP_BUILD__ : 'dev';
