// Messages between the page (worker-client.ts) and its worker (worker.ts).

import type { BenchReport, BenchSuiteName } from '../harness/bench-suite.js';
import type { ExperimentResult, Preset } from '../experiments/types.js';

export type WorkerRequest =
  | { kind: 'run'; job: number; id: string; preset: Preset; seed: number; overrides: Record<string, string> }
  | { kind: 'bench'; job: number; suite: BenchSuiteName; environment: string };

export type WorkerReply =
  | { kind: 'progress'; job: number; fraction: number; label: string }
  | { kind: 'result'; job: number; result: ExperimentResult }
  | { kind: 'bench-result'; job: number; report: BenchReport }
  | { kind: 'error'; job: number; name: string; message: string };
