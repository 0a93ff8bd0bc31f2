import { describe, expect, it } from 'vitest';
import { LOG_BATCH_LIMITS, chunk, metricValue, mlflowKey, paramText } from './batch.js';

describe('log-batch helpers', () => {
  it('makes keys MLflow accepts: [/\\w.\\- ], normalized path, ≤ 250 chars', () => {
    expect(mlflowKey('val/acc@1')).toBe('val/acc_1');
    expect(mlflowKey('/a//b/../c/./d')).toBe('a/b/_/c/_/d');
    expect(mlflowKey('loss (train)')).toBe('loss _train_');
    expect(mlflowKey('x'.repeat(300))).toHaveLength(250);
    expect(mlflowKey('')).toBe('_');
    expect(mlflowKey('ok_key-1.2 three/four')).toBe('ok_key-1.2 three/four');
  });

  it('writes non-finite metric values as proto3 JSON strings', () => {
    expect([metricValue(Number.NaN), metricValue(Number.POSITIVE_INFINITY), metricValue(Number.NEGATIVE_INFINITY), metricValue(0.5)]).toEqual(['NaN', 'Infinity', '-Infinity', 0.5]);
  });

  it('turns param values into text', () => {
    expect([paramText('a'), paramText(1e-3), paramText(true), paramText(null), paramText([1, 2])]).toEqual(['a', '0.001', 'true', 'None', '[1,2]']);
  });

  it('chunks by count and by bytes, never splitting an item', () => {
    expect(chunk([1, 2, 3, 4, 5], 2, 1e6)).toEqual([[1, 2], [3, 4], [5]]);
    const big = Array.from({ length: 5 }, (_, i) => ({ key: `k${i}`, value: 'v'.repeat(400_000) }));
    const parts = chunk(big, LOG_BATCH_LIMITS.params, LOG_BATCH_LIMITS.bytes);
    expect(parts.map((p) => p.length)).toEqual([2, 2, 1]);
    for (const p of parts) expect(Buffer.byteLength(JSON.stringify({ run_id: 'x'.repeat(32), params: p }))).toBeLessThan(LOG_BATCH_LIMITS.bytes);
    expect(chunk([], 10, 100)).toEqual([]);
  });
});
