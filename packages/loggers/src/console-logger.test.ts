import { describe, expect, it } from 'vitest';
import { ConsoleLogger } from './console-logger.js';

describe('ConsoleLogger', () => {
  it('prints one concise line per logMetrics, epoch first', () => {
    const lines: string[] = [];
    const log = new ConsoleLogger({ write: (l) => lines.push(l) });
    log.logMetrics(120, { loss: 0.431234, epoch: 3, val_dice: Number.NaN, lr: 0.0001 });
    log.finish('finished');
    expect(lines).toEqual(['step 120 | epoch 3 | loss 0.4312 | val_dice NaN | lr 1.000e-4', 'run finished']);
  });

  it('prints params only when asked, with secrets redacted', () => {
    const lines: string[] = [];
    new ConsoleLogger({ write: (l) => lines.push(l) }).logParams({ lr: 0.1 });
    expect(lines).toEqual([]);
    new ConsoleLogger({ params: true, write: (l) => lines.push(l) })
      .logParams({ lr: 0.1, wandb: { api_key: 'sk-live-123', project: 'p' }, password: 'hunter2' });
    expect(lines).toEqual(['params | lr=0.1 wandb.api_key=*** wandb.project=p password=***']);
    expect(lines.join('\n')).not.toMatch(/sk-live-123|hunter2/);
  });
});
