// A worker thread of an engine's pool (src/core/threads.ts), for Node and Bun (worker_threads)
// and browsers (module Web Workers). It instantiates featurelab.wasm over the engine's
// shared memory and runs the kernels' worker loop (thread_worker) until the engine stops
// the pool. A task that throws (a wasm trap) is reported through the control block, so the
// engine's thread raises it as a WorkerError; the worker then carries on.

import { FeaturelabError } from './errors.js';
import type { WorkerInit, WorkerReply } from './threads.js';
import { instantiateOver, type Kernels } from './wasm.js';

interface Port {
  post(reply: WorkerReply): void;
  onInit(handler: (init: WorkerInit) => void): void;
  close(): void;
}

const WORKER_THREADS = 'node:worker_threads';

async function connect(): Promise<Port> {
  const process = (globalThis as { process?: { versions?: { node?: string } } }).process;
  if (typeof process?.versions?.node === 'string') {
    type NodePort = { postMessage(m: unknown): void; once(e: 'message', f: (m: WorkerInit) => void): void; close(): void };
    const { parentPort } = (await import(/* @vite-ignore */ WORKER_THREADS)) as { parentPort: NodePort | null };
    if (parentPort) {
      return {
        post: (reply) => parentPort.postMessage(reply),
        onInit: (handler) => parentPort.once('message', handler),
        close: () => parentPort.close(),
      };
    }
  }
  const scope = globalThis as unknown as {
    postMessage(m: unknown): void;
    onmessage: ((e: MessageEvent<WorkerInit>) => void) | null;
    close(): void;
  };
  return {
    post: (reply) => scope.postMessage(reply),
    onInit: (handler) => {
      scope.onmessage = (event) => {
        scope.onmessage = null;
        handler(event.data);
      };
    },
    close: () => scope.close(),
  };
}

/** Writes "thread id: error" into the control block's message area (first failure wins). */
function report(init: WorkerInit, kernels: Kernels, error: unknown): void {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const offset = init.ctl + kernels.thread_message_offset();
  const capacity = kernels.thread_message_bytes() - 4;
  const bytes = new TextEncoder().encode(`worker thread ${init.id}: ${text}`).subarray(0, capacity);
  const length = new Int32Array(init.memory.buffer, offset, 1);
  if (Atomics.load(length, 0) !== 0) return;
  new Uint8Array(init.memory.buffer, offset + 4, bytes.length).set(bytes);
  Atomics.store(length, 0, bytes.length);
}

async function main(): Promise<void> {
  const port = await connect();
  port.onInit(async (init) => {
    let kernels: Kernels;
    try {
      kernels = await instantiateOver(
        init.module,
        init.memory,
        {
          threadFailure: () => {
            throw new FeaturelabError('featurelab internal error: a worker thread started a job of its own');
          },
        },
        false,
      );
    } catch (error) {
      port.post({ error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
      port.close();
      return;
    }
    port.post({ ready: init.id });
    // Blocks in wasm until the pool stops; resumes after a failed task (from the job it was in).
    let seen = 0;
    for (;;) {
      try {
        kernels.thread_worker(init.ctl, init.id, seen);
        break;
      } catch (error) {
        report(init, kernels, error);
        kernels.thread_task_failed();
        seen = kernels.thread_generation(init.ctl) - 1;
      }
    }
    port.close();
  });
}

void main();
