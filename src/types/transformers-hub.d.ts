// transformers.js has no exports map; its hub helpers are reached by path and typed from its own .d.ts.
declare module '@xenova/transformers/src/utils/hub.js' {
  export * from '@xenova/transformers/types/utils/hub';
}
