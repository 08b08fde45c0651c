// The allocator for wasm linear memory. All allocation happens here, on the TS side; the
// kernels only receive pointers. A first-fit free list (kept in address order, neighbours
// coalesced) over the region above the module's static data; memory grows on demand.

import { InternalError, MemoryLimitError } from './errors.js';
import { MAX_PAGES, PAGE_BYTES, type Ptr } from './wasm.js';

/** Every block starts on a 64-byte boundary (a cache line; SIMD loads never straddle one). */
export const ALIGN = 64;
/** The most bytes a wasm32 memory can address. */
export const MAX_MEMORY_BYTES = MAX_PAGES * PAGE_BYTES;

const roundUp = (n: number, to: number): number => Math.ceil(n / to) * to;

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(2)} ${units[unit]}`;
}

interface Block {
  ptr: Ptr;
  size: number;
}

export class Heap {
  private readonly free: Block[] = [];
  private readonly sizes = new Map<Ptr, number>();
  private top: Ptr;
  private used = 0;

  constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly base: Ptr,
  ) {
    this.top = roundUp(base, ALIGN);
  }

  /** Bytes held by live allocations. */
  get bytesInUse(): number {
    return this.used;
  }

  /** Number of live allocations. */
  get liveBlocks(): number {
    return this.sizes.size;
  }

  /** Allocates `bytes` (≥ 0) and returns a 64-byte aligned pointer. `what` names the request in errors. */
  alloc(bytes: number, what = 'buffer'): Ptr {
    const size = roundUp(Math.max(bytes, 1), ALIGN);
    const available = MAX_MEMORY_BYTES - roundUp(this.base, ALIGN);
    if (size > available) {
      throw new MemoryLimitError(
        `cannot allocate ${formatBytes(bytes)} for ${what}: wasm32 memory holds at most ${formatBytes(MAX_MEMORY_BYTES)} ` +
          `(${formatBytes(available)} available to data)`,
      );
    }
    for (let i = 0; i < this.free.length; i++) {
      const block = this.free[i]!;
      if (block.size >= size) {
        const ptr = block.ptr;
        if (block.size === size) this.free.splice(i, 1);
        else {
          block.ptr += size;
          block.size -= size;
        }
        return this.track(ptr, size);
      }
    }
    // Nothing free fits: extend the top, merging a free block that ends there.
    const last = this.free[this.free.length - 1];
    let ptr = this.top;
    if (last && last.ptr + last.size === this.top) {
      ptr = last.ptr;
      this.free.pop();
    }
    const end = ptr + size;
    this.ensureCapacity(end, bytes, what);
    this.top = end;
    return this.track(ptr, size);
  }

  /** Returns a block to the free list. Releasing an unknown pointer is a bug and throws. */
  release(ptr: Ptr): void {
    const size = this.sizes.get(ptr);
    if (size === undefined) throw new InternalError(`featurelab internal error: release of unknown pointer ${ptr} (freed twice, or never allocated)`);
    this.sizes.delete(ptr);
    this.used -= size;
    // Insert in address order, then merge with neighbours.
    let lo = 0;
    let hi = this.free.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.free[mid]!.ptr < ptr) lo = mid + 1;
      else hi = mid;
    }
    this.free.splice(lo, 0, { ptr, size });
    const next = this.free[lo + 1];
    if (next && ptr + size === next.ptr) {
      this.free[lo]!.size += next.size;
      this.free.splice(lo + 1, 1);
    }
    const prev = this.free[lo - 1];
    if (prev && prev.ptr + prev.size === ptr) {
      prev.size += this.free[lo]!.size;
      this.free.splice(lo, 1);
    }
    // A free block at the top just lowers the top.
    const last = this.free[this.free.length - 1];
    if (last && last.ptr + last.size === this.top) {
      this.top = last.ptr;
      this.free.pop();
    }
  }

  /** Releases everything. */
  reset(): void {
    this.free.length = 0;
    this.sizes.clear();
    this.used = 0;
    this.top = roundUp(this.base, ALIGN);
  }

  private track(ptr: Ptr, size: number): Ptr {
    this.sizes.set(ptr, size);
    this.used += size;
    return ptr;
  }

  private ensureCapacity(end: number, bytes: number, what: string): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    const pages = Math.ceil((end - have) / PAGE_BYTES);
    try {
      this.memory.grow(pages);
    } catch {
      throw new MemoryLimitError(
        `cannot allocate ${formatBytes(bytes)} for ${what}: growing wasm memory from ${formatBytes(have)} to ` +
          `${formatBytes(have + pages * PAGE_BYTES)} failed (limit ${formatBytes(MAX_MEMORY_BYTES)}, ` +
          `${formatBytes(this.used)} in use)`,
      );
    }
  }
}
