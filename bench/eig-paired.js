// featurelab's eigh (or eigvalsh) and numpy's, called alternately in one run, one thread
// each: the ratio of each pair is robust to a machine whose speed drifts between runs (at
// n = 4000 numpy's own time moved by ±20% from one bench:eig run to the next).
//
//   node --expose-gc bench/eig-paired.js --n 4000 --rounds 4 [--op eigh|eigvalsh]

import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createEngine } from '../dist/index.js';
import { numpyEnv, PYTHON } from './peers.js';

const { values: cli } = parseArgs({
  options: { n: { type: 'string', default: '4000' }, rounds: { type: 'string', default: '4' }, op: { type: 'string', default: 'eigh' } },
});
const n = Number(cli.n),
  rounds = Number(cli.rounds),
  op = cli.op;
if (!Number.isInteger(n) || n < 2 || !Number.isInteger(rounds) || rounds < 1 || !['eigh', 'eigvalsh'].includes(op)) {
  console.error('usage: node bench/eig-paired.js --n N --rounds R [--op eigh|eigvalsh]');
  process.exit(2);
}

// numpy in a python3 child kept open, one thread (peers.js: without this machine's OpenBLAS variables).
const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'numpy_eig_paired.py');
const py = spawn(PYTHON, [script, '--n', String(n), '--op', op], { env: numpyEnv(), stdio: ['pipe', 'pipe', 'inherit'] });
const lines = createInterface({ input: py.stdout })[Symbol.asyncIterator]();
const ready = await lines.next();
if (ready.done || ready.value !== 'ready') {
  console.error('numpy is not available (python3 with numpy is needed)');
  process.exit(2);
}
const numpyOnce = async () => {
  py.stdin.write('\n');
  return Number((await lines.next()).value);
};

const fl = await createEngine({ threads: 1 });
const G = fl.randn(n, n, { seed: 1 });
const S = fl.matmul(G, G, { transB: true, alpha: 1 / n });
const call = () => (op === 'eigh' ? fl.eigh(S).vectors.dispose() : fl.eigvalsh(S));
call(); // warm-up
console.log(`${op}, n = ${n}, one thread each, featurelab and numpy alternately, ${rounds} rounds`);
const ratios = [];
for (let r = 0; r < rounds; r++) {
  globalThis.gc?.();
  const t = performance.now();
  call();
  const ours = performance.now() - t;
  const theirs = await numpyOnce();
  ratios.push(ours / theirs);
  console.log(`round ${r + 1}: featurelab ${ours.toFixed(0)} ms, numpy ${theirs.toFixed(0)} ms, ratio ${(ours / theirs).toFixed(2)}×`);
}
ratios.sort((a, b) => a - b);
console.log(`paired ratio: median ${ratios[ratios.length >> 1].toFixed(2)}× (${ratios[0].toFixed(2)}–${ratios.at(-1).toFixed(2)}×)`);
py.stdin.end();
fl.dispose();
