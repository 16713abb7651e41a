// The demo page's entry: index.html loads this, which starts the demo on this window with the engine in
// a Web Worker and people kept in IndexedDB. Query parameters: ?model=<URL base>&banks=<URL base>
// &backend=<webgpu|webgl|wasm|cpu>&threads=<WebAssembly threads>.

import { RemoteEngine } from '../runtime/remote-engine';
import { createDemo } from './demo';
import { indexedDbStore } from './store';

void createDemo({
  engine: (options) => RemoteEngine.create(options),
  store: indexedDbStore(),
  dom: window,
}).start();
