// The engine's worker, made by this page (esbuild does not bundle workers it is not told about): the
// package's worker module serves the engine to the page's createPersonalizer.
import 'xpeft-web/worker';
