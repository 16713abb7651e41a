// transformers.js has no exports map; its tokenizer, env and hub modules are imported by path (which keeps
// the ONNX runtime out of our bundle) and typed from the package's own declaration files.
declare module '@xenova/transformers/src/utils/hub.js' {
  export * from '@xenova/transformers/types/utils/hub';
}
declare module '@xenova/transformers/src/tokenizers.js' {
  export * from '@xenova/transformers/types/tokenizers';
}
declare module '@xenova/transformers/src/env.js' {
  export * from '@xenova/transformers/types/env';
}
