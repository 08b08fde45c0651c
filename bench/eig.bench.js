// Symmetric eigensolver benchmark: eigvalsh and eigh of S = G·Gᵀ/n (G Gaussian) for
// n = 200, 500, 1000, 2000, single-threaded, featurelab beside numpy/LAPACK (python3,
// one thread) and ml-matrix's EigenvalueDecomposition in the same run. Prints a table and
// the issue's targets at n = 1000, and writes bench/results/eig.json. `--threads N` runs
// featurelab on N threads (the GEMM parts of the solvers are threaded; the targets compare
// with single-threaded numpy, so the default is 1).
//
//   node --expose-gc bench/eig.bench.js --sizes 200,500 [--threads 2]

import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { createEngine } from '../dist/index.js';
import { measure } from './harness.js';
import { packageVersion, runNumpyEig } from './peers.js';

const started = performance.now();
const { values: cli } = parseArgs({ options: { sizes: { type: 'string', default: '200,500,1000,2000' }, threads: { type: 'string', default: '1' } } });
const SIZES = cli.sizes.split(',').map(Number);
const TARGET_N = 1000;
// ml-matrix is O(10 s) at n = 1000 (plain JS Householder + QL): one timed run there, none beyond.
const ML_MATRIX_MAX_N = 1000;

const plan = (n) =>
  n <= 200 ? { warmup: 3, time: 1000, iterations: 10 } : n <= 500 ? { warmup: 2, time: 0, iterations: 7 } : { warmup: 1, time: 0, iterations: 5 };

const fl = await createEngine({ threads: Number(cli.threads) });
let Matrix, EigenvalueDecomposition;
try {
  ({ Matrix, EigenvalueDecomposition } = await import('ml-matrix'));
} catch {
  console.log('note: ml-matrix not installed; skipped');
}
console.log(`eigensolver benchmark · ${os.cpus()[0]?.model} · Node ${process.version} · featurelab on ${fl.threads} thread(s) · ${new Date().toISOString()}`);

const rows = [];
for (const n of SIZES) {
  const G = fl.randn(n, n, { seed: 1 });
  const S = fl.matmul(G, G, { transB: true, alpha: 1 / n });
  G.dispose();
  const values = measure(`featurelab eigvalsh ${n}`, () => fl.eigvalsh(S), plan(n));
  const both = measure(`featurelab eigh ${n}`, () => fl.eigh(S).vectors.dispose(), plan(n));
  const row = { n, featurelab: { eigvalsh: values.medianMs, eigh: both.medianMs } };
  // Accuracy of what was timed, so the comparison is between correct results.
  const check = fl.scope(() => {
    const { values: w, vectors: V } = fl.eigh(S);
    const SV = fl.matmul(S, V);
    const VL = fl.matmul(
      V,
      fl.fromArray(
        Float64Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? w[i / (n + 1)] : 0)),
        n,
        n,
      ),
    );
    const R = fl.axpy(-1, VL, SV);
    return { residual: fl.norm(R) / fl.norm(S), orthogonality: fl.norm(fl.axpy(-1, fl.eye(n), fl.matmul(V, V, { transA: true })), 'max') };
  });
  row.check = check;
  const np = runNumpyEig(n, { reps: n >= 2000 ? 3 : 5 });
  row.numpy = np.skip ? { skipped: np.skip } : { eigvalsh: np.eigvalsh.medianMs, eigh: np.eigh.medianMs, version: np.numpy };
  if (Matrix && n <= ML_MATRIX_MAX_N) {
    const M = Matrix.from1DArray(n, n, S.toArray());
    const ml = measure(`ml-matrix ${n}`, () => new EigenvalueDecomposition(M, { assumeSymmetric: true }), {
      warmup: n <= 200 ? 1 : 0,
      time: 0,
      iterations: n <= 200 ? 5 : 1,
    });
    row.mlMatrix = { eigh: ml.medianMs, version: packageVersion('ml-matrix') };
  } else {
    row.mlMatrix = { skipped: Matrix ? 'too slow' : 'not installed' };
  }
  S.dispose();
  rows.push(row);
  const f = (v) => (v === undefined ? '—' : v.toFixed(1));
  console.log(
    `n=${n}: featurelab eigvalsh ${f(row.featurelab.eigvalsh)} ms, eigh ${f(row.featurelab.eigh)} ms` +
      ` (residual ${check.residual.toExponential(1)}, ‖VᵀV−I‖ ${check.orthogonality.toExponential(1)})` +
      ` · numpy ${row.numpy.skipped ? row.numpy.skipped : `${f(row.numpy.eigvalsh)} / ${f(row.numpy.eigh)} ms`}` +
      ` · ml-matrix ${row.mlMatrix.skipped ?? `${f(row.mlMatrix.eigh)} ms`}`,
  );
}

console.log('\n   n  fl eigvalsh  np eigvalsh  ratio   fl eigh  np eigh  ratio   ml-matrix  ml/fl eigh');
for (const r of rows) {
  const ratio = (a, b) => (a && b ? `${(a / b).toFixed(2)}×` : '—');
  const pad = (s, w) => String(s).padStart(w);
  console.log(
    `${pad(r.n, 4)}  ${pad(r.featurelab.eigvalsh.toFixed(1), 11)}  ${pad(r.numpy.eigvalsh?.toFixed(1) ?? '—', 11)}  ${pad(ratio(r.featurelab.eigvalsh, r.numpy.eigvalsh), 5)}` +
      `  ${pad(r.featurelab.eigh.toFixed(1), 8)}  ${pad(r.numpy.eigh?.toFixed(1) ?? '—', 7)}  ${pad(ratio(r.featurelab.eigh, r.numpy.eigh), 5)}` +
      `  ${pad(r.mlMatrix.eigh?.toFixed(0) ?? r.mlMatrix.skipped, 10)}  ${pad(ratio(r.mlMatrix.eigh, r.featurelab.eigh), 10)}`,
  );
}

const t = rows.find((r) => r.n === TARGET_N);
const targets = t
  ? [
      { target: 'eigvalsh ≤ 2× numpy at n=1000', value: t.numpy.eigvalsh && t.featurelab.eigvalsh / t.numpy.eigvalsh, limit: 2, lower: true },
      { target: 'eigh ≤ 3× numpy at n=1000', value: t.numpy.eigh && t.featurelab.eigh / t.numpy.eigh, limit: 3, lower: true },
      { target: 'eigh ≥ 20× faster than ml-matrix at n=1000', value: t.mlMatrix.eigh && t.mlMatrix.eigh / t.featurelab.eigh, limit: 20, lower: false },
    ]
  : [];
console.log('\ntargets:');
for (const x of targets) {
  x.met = x.value ? (x.lower ? x.value <= x.limit : x.value >= x.limit) : null;
  console.log(`  ${x.target}: ${x.met === null ? 'not measured' : x.met ? 'MET' : 'NOT MET'}${x.value ? ` (${x.value.toFixed(2)}×)` : ''}`);
}
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const out = new URL('./results/eig.json', import.meta.url);
writeFileSync(
  out,
  JSON.stringify(
    {
      date: new Date().toISOString(),
      cpu: os.cpus()[0]?.model,
      node: process.version,
      threads: fl.threads,
      rows,
      targets,
      elapsedSeconds: (performance.now() - started) / 1000,
    },
    null,
    2,
  ) + '\n',
);
console.log(`\nwrote ${out.pathname} · suite took ${((performance.now() - started) / 1000).toFixed(1)} s`);
fl.dispose();
