// Where tfjs's WebAssembly binaries are when nobody says otherwise: beside this module, found with the
// standard `new URL('<file>', import.meta.url)` that Vite, webpack, Parcel and Rollup's URL plugins copy
// into a build. In this repository the files are tfjs-backend-wasm's own; the library build
// (vite.lib.config.ts) ships them in dist/lib/wasm/ and points these URLs there. A bundler that leaves
// such URLs alone (esbuild) needs the files copied beside its output, or env.wasmPaths.

/** The three binaries tfjs-backend-wasm may load, by the names it asks for. */
export function bundledWasmFiles(): Record<string, string> {
  return {
    'tfjs-backend-wasm.wasm': new URL(
      '../../node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm',
      import.meta.url,
    ).href,
    'tfjs-backend-wasm-simd.wasm': new URL(
      '../../node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm',
      import.meta.url,
    ).href,
    'tfjs-backend-wasm-threaded-simd.wasm': new URL(
      '../../node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm',
      import.meta.url,
    ).href,
  };
}
