// Post-link step of `npm run build:wasm`: moves the module's static data (the SHA-256 round
// constants, the lookup tables of AssemblyScript's Math) out of the data section into a
// custom section, `featurelab.static-data`, which the host copies into memory once.
//
// Why: the memory is shared between the engine's thread and its workers, each of which
// instantiates the module over it, and active data segments are written again at every
// instantiation. Without a data section, instantiating a worker touches no memory at all;
// the main thread writes the static data exactly once, before any kernel runs
// (src/core/wasm.ts, initStaticData). The code section is not changed: the .wasm computes the
// same bytes as before.
//
// Format of the custom section (little-endian): u32 count, then per segment u32 offset,
// u32 length and the bytes.
//
// see: WebAssembly core specification 2.0, §5.5 (binary format of modules: sections,
//      data segments, custom sections).
//
//   node scripts/static-data.mjs dist/featurelab.wasm

import { readFileSync, writeFileSync } from 'node:fs';

const SECTION_CUSTOM = 0,
  SECTION_DATA = 11,
  SECTION_DATA_COUNT = 12;
const NAME = 'featurelab.static-data';

function readU32(bytes, pos) {
  let value = 0,
    shift = 0,
    byte;
  do {
    byte = bytes[pos++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, pos];
}

function readS32(bytes, pos) {
  let value = 0,
    shift = 0,
    byte;
  do {
    byte = bytes[pos++];
    value |= (byte & 0x7f) << shift;
    shift += 7;
  } while (byte & 0x80);
  if (shift < 32 && byte & 0x40) value |= -1 << shift;
  return [value, pos];
}

function u32Leb(value) {
  const out = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

/** The active segments of a data section's payload as [offset, bytes] (throws on anything else). */
function parseDataSection(payload) {
  const segments = [];
  let [count, pos] = readU32(payload, 0);
  for (let i = 0; i < count; i++) {
    let flags;
    [flags, pos] = readU32(payload, pos);
    if (flags !== 0) throw new Error(`data segment ${i}: flags ${flags} (only active segments of memory 0 are expected)`);
    if (payload[pos++] !== 0x41) throw new Error(`data segment ${i}: the offset is not an i32.const`);
    let offset;
    [offset, pos] = readS32(payload, pos);
    if (payload[pos++] !== 0x0b) throw new Error(`data segment ${i}: the offset expression is not a single constant`);
    let length;
    [length, pos] = readU32(payload, pos);
    segments.push([offset >>> 0, payload.subarray(pos, pos + length)]);
    pos += length;
  }
  if (pos !== payload.length) throw new Error('data section: trailing bytes');
  return segments;
}

function customSection(name, body) {
  const nameBytes = new TextEncoder().encode(name);
  const content = [...u32Leb(nameBytes.length), ...nameBytes, ...body];
  return Uint8Array.from([SECTION_CUSTOM, ...u32Leb(content.length), ...content]);
}

const file = process.argv[2];
if (!file) throw new Error('usage: node scripts/static-data.mjs <module.wasm>');
const bytes = readFileSync(file);
if (bytes.readUInt32LE(0) !== 0x6d736100 || bytes.readUInt32LE(4) !== 1) throw new Error(`${file}: not a WebAssembly module`);

const kept = [bytes.subarray(0, 8)];
let segments;
for (let pos = 8; pos < bytes.length; ) {
  const start = pos;
  const id = bytes[pos++];
  let size;
  [size, pos] = readU32(bytes, pos);
  const payload = bytes.subarray(pos, pos + size);
  pos += size;
  if (id === SECTION_CUSTOM) {
    const [nameLength, at] = readU32(payload, 0);
    if (new TextDecoder().decode(payload.subarray(at, at + nameLength)) === NAME) throw new Error(`${file}: already processed`);
  }
  if (id === SECTION_DATA) segments = parseDataSection(payload);
  // A data count section only matters to memory.init/data.drop, which the code never uses
  // (validation would fail below if it did).
  else if (id !== SECTION_DATA_COUNT) kept.push(bytes.subarray(start, pos));
}
segments ??= [];

const body = [];
const u32 = (v) => body.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
u32(segments.length);
for (const [offset, data] of segments) {
  u32(offset);
  u32(data.length);
  body.push(...data);
}
kept.push(customSection(NAME, body));
const out = Buffer.concat(kept);
if (!WebAssembly.validate(out)) throw new Error(`${file}: the module without its data section does not validate`);
writeFileSync(file, out);
const total = segments.reduce((s, [, d]) => s + d.length, 0);
console.log(`${file}: ${segments.length} static data segment(s), ${total} bytes, moved to the custom section ${NAME}`);
