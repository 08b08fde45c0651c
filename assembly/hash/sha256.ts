// SHA-256 over linear memory, for result fingerprints that every engine computes alike
// (WebCrypto is async and missing on insecure origins, so hashing lives here).
// see: FIPS PUB 180-4, Secure Hash Standard, §4.2.2 (constants), §5.3.3 (initial value),
//      §6.2.2 (compression function).
//
// Context layout (SHA256_CONTEXT_BYTES, owned by the caller):
//   [0, 32)   state H0..H7 (u32)
//   [32, 96)  pending block bytes
//   [96, 104) total message length in bytes (u64)
//   [104,108) pending byte count (u32)
//   [108,364) message schedule W0..W63 (u32)

export const SHA256_CONTEXT_BYTES: i32 = 364;

const K: StaticArray<u32> = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

@inline function rotr(x: u32, n: u32): u32 { return (x >>> n) | (x << (32 - n)); }

export function sha256_init(ctx: usize): void {
  store<u32>(ctx, 0x6a09e667); store<u32>(ctx, 0xbb67ae85, 4);
  store<u32>(ctx, 0x3c6ef372, 8); store<u32>(ctx, 0xa54ff53a, 12);
  store<u32>(ctx, 0x510e527f, 16); store<u32>(ctx, 0x9b05688c, 20);
  store<u32>(ctx, 0x1f83d9ab, 24); store<u32>(ctx, 0x5be0cd19, 28);
  store<u64>(ctx, 0, 96);
  store<u32>(ctx, 0, 104);
}

// Compresses the 64-byte block at `block` into the state.
function compress(ctx: usize, block: usize): void {
  const w = ctx + 108;
  for (let t = 0; t < 16; t++) store<u32>(w + (<usize>t << 2), bswap<u32>(load<u32>(block + (<usize>t << 2))));
  for (let t = 16; t < 64; t++) {
    const w15 = load<u32>(w + (<usize>(t - 15) << 2)), w2 = load<u32>(w + (<usize>(t - 2) << 2));
    const s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >>> 3);
    const s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >>> 10);
    store<u32>(w + (<usize>t << 2), load<u32>(w + (<usize>(t - 16) << 2)) + s0 + load<u32>(w + (<usize>(t - 7) << 2)) + s1);
  }
  let a = load<u32>(ctx), b = load<u32>(ctx, 4), c = load<u32>(ctx, 8), d = load<u32>(ctx, 12);
  let e = load<u32>(ctx, 16), f = load<u32>(ctx, 20), g = load<u32>(ctx, 24), h = load<u32>(ctx, 28);
  for (let t = 0; t < 64; t++) {
    const S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
    const ch = (e & f) ^ (~e & g);
    const t1 = h + S1 + ch + unchecked(K[t]) + load<u32>(w + (<usize>t << 2));
    const S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = S0 + maj;
    h = g; g = f; f = e; e = d + t1;
    d = c; c = b; b = a; a = t1 + t2;
  }
  store<u32>(ctx, load<u32>(ctx) + a); store<u32>(ctx, load<u32>(ctx, 4) + b, 4);
  store<u32>(ctx, load<u32>(ctx, 8) + c, 8); store<u32>(ctx, load<u32>(ctx, 12) + d, 12);
  store<u32>(ctx, load<u32>(ctx, 16) + e, 16); store<u32>(ctx, load<u32>(ctx, 20) + f, 20);
  store<u32>(ctx, load<u32>(ctx, 24) + g, 24); store<u32>(ctx, load<u32>(ctx, 28) + h, 28);
}

export function sha256_update(ctx: usize, data: usize, len: usize): void {
  const pending = ctx + 32;
  let have = <usize>load<u32>(ctx, 104);
  store<u64>(ctx, load<u64>(ctx, 96) + <u64>len, 96);
  if (have > 0) {
    const take: usize = min<usize>(<usize>64 - have, len);
    memory.copy(pending + have, data, take);
    have += take; data += take; len -= take;
    if (have < 64) { store<u32>(ctx, <u32>have, 104); return; }
    compress(ctx, pending);
    have = 0;
  }
  while (len >= 64) {
    compress(ctx, data);
    data += 64; len -= 64;
  }
  memory.copy(pending, data, len);
  store<u32>(ctx, <u32>len, 104);
}

// Pads, compresses the last block(s) and writes the 32-byte digest to `out`.
export function sha256_final(ctx: usize, out: usize): void {
  const pending = ctx + 32;
  let have = <usize>load<u32>(ctx, 104);
  const bits = load<u64>(ctx, 96) << 3;
  store<u8>(pending + have, 0x80);
  have++;
  if (have > 56) {
    memory.fill(pending + have, 0, 64 - have);
    compress(ctx, pending);
    have = 0;
  }
  memory.fill(pending + have, 0, 56 - have);
  store<u64>(pending, bswap<u64>(bits), 56);
  compress(ctx, pending);
  for (let t = 0; t < 8; t++) store<u32>(out + (<usize>t << 2), bswap<u32>(load<u32>(ctx + (<usize>t << 2))));
}
