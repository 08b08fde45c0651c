// The page's one Web Worker (worker.ts), shared by the experiment and benchmark views: one
// request at a time, with progress reports; Cancel terminates it (a synchronous wasm
// computation cannot be interrupted any other way) and starts a fresh one.

import type { WorkerReply, WorkerRequest } from './protocol.js';

export class Cancelled extends Error {}

type Finished = Extract<WorkerReply, { kind: 'result' | 'bench-result' }>;

interface Pending {
  job: number;
  resolve(reply: Finished): void;
  reject(error: Error): void;
  progress(fraction: number, label: string): void;
}

class WorkerClient {
  #worker: Worker;
  #job = 0;
  #pending: Pending | null = null;

  constructor() {
    this.#worker = this.#start();
  }

  get busy(): boolean {
    return this.#pending !== null;
  }

  #start(): Worker {
    const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'featurelab' });
    worker.onmessage = (event: MessageEvent<WorkerReply>) => this.#receive(event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      this.#settle((p) => p.reject(new Error(`the worker failed: ${event.message || 'could not load it'}`)));
    };
    return worker;
  }

  #settle(action: (pending: Pending) => void): void {
    const pending = this.#pending;
    this.#pending = null;
    if (pending) action(pending);
  }

  #receive(reply: WorkerReply): void {
    const pending = this.#pending;
    if (!pending || reply.job !== pending.job) return; // a reply from before a cancel
    if (reply.kind === 'progress') pending.progress(reply.fraction, reply.label);
    else if (reply.kind === 'error') {
      const error = new Error(reply.message);
      error.name = reply.name;
      this.#settle((p) => p.reject(error));
    } else this.#settle((p) => p.resolve(reply));
  }

  request(make: (job: number) => WorkerRequest, progress: (fraction: number, label: string) => void): Promise<Finished> {
    if (this.#pending) return Promise.reject(new Error('a run is already in progress'));
    const job = ++this.#job;
    return new Promise<Finished>((resolve, reject) => {
      this.#pending = { job, resolve, reject, progress };
      this.#worker.postMessage(make(job));
    });
  }

  cancel(): void {
    this.#worker.terminate();
    this.#worker = this.#start();
    this.#settle((p) => p.reject(new Cancelled('cancelled')));
  }
}

export const client = new WorkerClient();
