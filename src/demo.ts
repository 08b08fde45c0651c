// `npm start` until the experiments exist: a short tour of the engine.
import { createEngine } from './index.js';

const fl = await createEngine();
const t0 = performance.now();
const report = fl.scope(() => {
  const d = 256, n = 512;
  const X = fl.randn(n, d, { seed: 1 });
  const W = fl.randn(d, d, { seed: 1, stream: 1 });
  const H = fl.map(fl.matmul(X, W), 'tanh');
  const K = fl.matmul(H, H, { transA: true, alpha: 1 / n });
  return {
    shapes: `X ${X.describe()}, W ${W.describe()}, H = tanh(XW) ${H.describe()}, K = HᵀH/n ${K.describe()}`,
    traceK: fl.sum(fl.hadamard(K, fl.eye(d))),
    frobK: fl.norm(K),
    fingerprint: fl.fingerprint(X, W, H, K),
  };
});
const ms = performance.now() - t0;
console.log('featurelab engine demo');
console.log(`  ${report.shapes}`);
console.log(`  trace(K) = ${report.traceK}`);
console.log(`  ‖K‖_F    = ${report.frobK}`);
console.log(`  fingerprint ${report.fingerprint}`);
console.log(`  ${ms.toFixed(1)} ms; live matrices after scope: ${fl.memoryStats().liveMatrices}`);
