// The sweep panel's pool of Web Workers (sweep-worker.ts), each with its own engine: the
// points of a plan are handed out one at a time, so a fast worker takes more of them and
// the rows arrive as points finish, in any order (the summary does not depend on it).
// Cancel terminates every worker (a synchronous wasm computation cannot be interrupted any
// other way); a run starts fresh workers.

import type { SweepPoint, SweepRow } from '../experiments/sweep.js';
import type { Preset } from '../experiments/types.js';
import type { SweepWorkerReply } from './protocol.js';
import { Cancelled } from './worker-client.js';

export class SweepPool {
  #workers: Worker[] = [];
  #run = 0;
  #fail: ((error: Error) => void) | null = null;

  /** How many workers are alive (0 when idle). */
  get size(): number {
    return this.#workers.length;
  }

  get busy(): boolean {
    return this.#fail !== null;
  }

  /** Runs `points` on up to `workers` workers; `onRow` sees each row as it arrives. Rejects with Cancelled on cancel(). */
  run(id: string, preset: Preset, points: readonly SweepPoint[], workers: number, onRow: (row: SweepRow) => void): Promise<void> {
    if (this.busy) return Promise.reject(new Error('a sweep is already running'));
    const run = ++this.#run;
    return new Promise<void>((resolve, reject) => {
      let next = 0;
      let done = 0;
      const finish = (error?: Error) => {
        this.#stop();
        if (error) reject(error);
        else resolve();
      };
      this.#fail = finish;
      if (points.length === 0) return finish();
      const handOut = (worker: Worker) => {
        if (next < points.length) {
          const point = points[next++]!;
          worker.postMessage({ kind: 'point', job: point.index, id, preset, point });
        }
      };
      for (let i = 0; i < Math.min(workers, points.length); i++) {
        const worker = new Worker(new URL('./sweep-worker.ts', import.meta.url), { type: 'module', name: `featurelab-sweep-${i + 1}` });
        worker.onmessage = (event: MessageEvent<SweepWorkerReply>) => {
          if (run !== this.#run || !this.#fail) return; // a reply from before a cancel
          const reply = event.data;
          if (reply.kind === 'error') {
            const error = new Error(`point ${reply.job}: ${reply.message}`);
            error.name = reply.name;
            return finish(error);
          }
          try {
            onRow(reply.row);
          } catch (error) {
            return finish(error instanceof Error ? error : new Error(String(error)));
          }
          if (++done === points.length) finish();
          else handOut(worker);
        };
        worker.onerror = (event) => {
          event.preventDefault();
          if (run === this.#run && this.#fail) finish(new Error(`a sweep worker failed: ${event.message || 'could not load it'}`));
        };
        this.#workers.push(worker);
        handOut(worker);
      }
    });
  }

  /** Terminates every worker; the running sweep rejects with Cancelled. */
  cancel(): void {
    this.#fail?.(new Cancelled('cancelled'));
  }

  #stop(): void {
    for (const worker of this.#workers) worker.terminate();
    this.#workers = [];
    this.#fail = null;
  }
}
