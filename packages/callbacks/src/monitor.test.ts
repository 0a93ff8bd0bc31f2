import { describe, expect, it } from 'vitest';
import { Monitor, inferMode } from './monitor.js';

describe('Monitor', () => {
  it('infers the direction from the metric name', () => {
    expect(['val_loss', 'loss', 'val_mae', 'val_error'].map(inferMode)).toEqual(['min', 'min', 'min', 'min']);
    expect(['val_acc', 'val_accuracy', 'val_dice', 'val_iou', 'val_auc', 'val_dice/tumor', 'val_f1'].map(inferMode)).toEqual(Array(7).fill('max'));
    expect(() => inferMode('lr')).toThrow(/set mode: 'min' or mode: 'max'/);
  });

  it('counts only strict improvements beyond minDelta and never a non-finite value', () => {
    const min = new Monitor({ metric: 'val_loss', minDelta: 0.1 });
    expect([min.isImprovement(0.85, 1), min.isImprovement(0.9, 1), min.isImprovement(0.95, 1)]).toEqual([true, false, false]);
    expect(min.isImprovement(5, min.worst)).toBe(true);
    expect([min.isImprovement(Number.NaN, min.worst), min.isImprovement(-Infinity, 0)]).toEqual([false, false]);
    const max = new Monitor({ metric: 'val_dice', minDelta: 0.01 });
    expect([max.mode, max.isImprovement(0.52, 0.5), max.isImprovement(0.505, 0.5)]).toEqual(['max', true, false]);
    expect(() => new Monitor({ metric: 'val_loss', minDelta: -1 })).toThrow(expect.objectContaining({ code: 'KILN_CALLBACK_OPTIONS_INVALID' }));
  });
});
