// The demo page's entry: index.html loads this, which starts the demo on this window with the engine in
// a Web Worker and people kept in IndexedDB. Query parameters: ?model=<URL base>&banks=<URL base>
// &backend=<webgpu|webgl|wasm|cpu>&threads=<WebAssembly threads>.

import { RemoteEngine } from '../runtime/remote-engine';
import { createDemo } from './demo';
import { browserStore } from './store';

void createDemo({
  engine: (options) => RemoteEngine.create(options),
  store: browserStore,
  dom: window,
}).start();
