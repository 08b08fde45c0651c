// Builds the web page (src/web) into dist/web: `npm run build:web`.
import { fileURLToPath } from 'node:url';
import { createLogger, defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Cross-origin isolation, as `featurelab serve` sends it (wasm threads will need it).
const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

// src/core/wasm.ts finds featurelab.wasm beside itself by default (new URL(…, import.meta.url)),
// which in src/ does not exist; the page passes the built module's URL explicitly, so Vite's
// warning about that default is noise here.
const logger = createLogger();
const warnOnce = logger.warnOnce.bind(logger);
logger.warnOnce = (message, options) => {
  if (!message.includes('new URL("../featurelab.wasm", import.meta.url)')) warnOnce(message, options);
};

export default defineConfig({
  root: here('.'),
  customLogger: logger,
  // Relative asset URLs: the built page works from any path (a sub-directory, file hosting).
  base: './',
  publicDir: false,
  build: {
    outDir: here('../../dist/web'),
    // Empties dist/web only (outDir lies outside root, so Vite needs this said explicitly).
    emptyOutDir: true,
    target: 'es2022',
    // Vega and Vega-Lite are one lazily loaded chunk of ~1 MB; that is expected.
    chunkSizeWarningLimit: 2000,
    // No source maps: they would point at src/web, which the package does not ship (`vite` in
    // development serves the sources themselves).
    sourcemap: false,
    // Keep class names: errors are shown as `${error.name}: …` (ArgumentError, ConvergenceError).
    rolldownOptions: { output: { keepNames: true } },
  },
  worker: { format: 'es', rolldownOptions: { output: { keepNames: true } } },
  server: { headers: isolation, fs: { allow: [here('../..')] } },
  preview: { headers: isolation },
});
