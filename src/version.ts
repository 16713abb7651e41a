// The engine's version (package.json's): part of the key under which a device's backend choice is kept.
export const VERSION = '0.1.0';
