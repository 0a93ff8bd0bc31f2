import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
for (const b of ['cpu', 'wasm']) {
  await tf.setBackend(b);
  for (const n of [1.2e9, 3e9, 5e9]) {
    try { const t = tf.zeros([n]); const s = tf.sum(t); console.log(b, n, 'ok', (await s.data())[0]); t.dispose(); s.dispose(); }
    catch (e) { console.log(b, n, 'THROWS', e?.constructor?.name, JSON.stringify(String(e?.message ?? e)).slice(0, 300)); }
  }
  // a matmul whose output does not fit
  try { const a = tf.ones([60000, 1]); const c = tf.matMul(a, a, false, true); console.log(b, 'matmul ok', c.shape); c.dispose(); a.dispose(); }
  catch (e) { console.log(b, 'matmul THROWS', e?.constructor?.name, JSON.stringify(String(e?.message ?? e)).slice(0, 300)); }
}
