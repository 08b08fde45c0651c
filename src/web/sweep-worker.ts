// One worker of the sweep panel's pool (sweep-pool.ts): runs the points it is handed, one at a
// time, with runPoint of src/experiments/sweep.ts, exactly as `featurelab sweep run` does. Its
// engine runs on one thread, as the CLI's sweeps do by default: the pool parallelises over
// points, one worker per core.

import wasmUrl from '../../dist/featurelab.wasm?url';
import { createEngine, type Engine } from '../core/engine.js';
import { findExperiment } from '../experiments/index.js';
import { runPoint } from '../experiments/sweep.js';
import type { SweepWorkerReply, SweepWorkerRequest } from './protocol.js';

// Typed by hand: the page's tsconfig uses the DOM library, whose `self` is a Window.
const scope = self as unknown as {
  postMessage(message: SweepWorkerReply): void;
  onmessage: ((event: MessageEvent<SweepWorkerRequest>) => void) | null;
};

const engine: Promise<Engine> = createEngine({ wasm: new URL(wasmUrl, self.location.href), threads: 1 });

scope.onmessage = async (event) => {
  const { job, id, preset, point } = event.data;
  try {
    const row = runPoint(await engine, findExperiment(id), { preset }, point);
    scope.postMessage({ kind: 'row', job, row });
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    scope.postMessage({ kind: 'error', job, name: e.name, message: e.message });
  }
};
