// Messages between the page (worker-client.ts) and its worker (worker.ts).

import type { BenchReport, BenchSuiteName } from '../harness/bench-suite.js';
import type { SweepPoint, SweepRow } from '../experiments/sweep.js';
import type { ExperimentResult, Preset } from '../experiments/types.js';

export type WorkerRequest =
  | { kind: 'run'; job: number; id: string; preset: Preset; seed: number; overrides: Record<string, string> }
  | { kind: 'bench'; job: number; suite: BenchSuiteName; environment: string };

export type WorkerReply =
  | { kind: 'progress'; job: number; fraction: number; label: string }
  | { kind: 'result'; job: number; result: ExperimentResult }
  | { kind: 'bench-result'; job: number; report: BenchReport }
  | { kind: 'error'; job: number; name: string; message: string };

// The sweep panel's pool (sweep-pool.ts) and its workers (sweep-worker.ts): one point at a time.
export type SweepWorkerRequest = { kind: 'point'; job: number; id: string; preset: Preset; point: SweepPoint };

export type SweepWorkerReply = { kind: 'row'; job: number; row: SweepRow } | { kind: 'error'; job: number; name: string; message: string };
