// The page's Web Worker: runs experiments and the benchmark suite off the main thread (the
// page stays responsive, and Cancel can simply terminate this worker). It loads the same
// featurelab.wasm and the same TypeScript modules as Node, so results are bit-identical.

import wasmUrl from '../../dist/featurelab.wasm?url';
import { runBenchSuite } from '../harness/bench-suite.js';
import { createEngine, type Engine } from '../core/engine.js';
import { findExperiment, runExperiment, VERSION } from '../experiments/index.js';
import type { WorkerReply, WorkerRequest } from './protocol.js';

// Typed by hand: the page's tsconfig uses the DOM library, whose `self` is a Window.
const scope = self as unknown as {
  postMessage(message: WorkerReply): void;
  onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null;
};

// Compile and instantiate as soon as the worker starts, so the first run does not wait.
const engine: Promise<Engine> = createEngine({ wasm: new URL(wasmUrl, self.location.href) });

// Requests are handled one at a time (the page never sends a second before the reply).
scope.onmessage = async (event) => {
  const request = event.data;
  const { job } = request;
  const progress = (fraction: number, label: string) => scope.postMessage({ kind: 'progress', job, fraction, label });
  try {
    const fl = await engine;
    if (request.kind === 'run') {
      const result = runExperiment(fl, findExperiment(request.id), { preset: request.preset, seed: request.seed, overrides: request.overrides, progress });
      scope.postMessage({ kind: 'result', job, result });
    } else {
      const report = runBenchSuite(fl, { suite: request.suite, environment: request.environment, version: VERSION, progress });
      scope.postMessage({ kind: 'bench-result', job, report });
    }
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    scope.postMessage({ kind: 'error', job, name: e.name, message: e.message });
  }
};
