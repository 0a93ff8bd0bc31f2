import { describe, expect, it } from 'vitest';
import { FilenameTemplate } from './template.js';

describe('FilenameTemplate', () => {
  it('formats Python-style specs like str.format', () => {
    const v = { epoch: 3, step: 120, val_loss: 0.41237, lr: 0.001, 'val_dice/tumor': 0.7, neg: -1.5 };
    expect(new FilenameTemplate('{epoch:03d}-{val_loss:.3f}').format(v)).toBe('epoch=003-val_loss=0.412');
    expect(new FilenameTemplate('{epoch:03d}-{val_loss:.3f}', false).format(v)).toBe('003-0.412');
    // Python: f"{0.001:.2e}" == '1.00e-03', f"{-1.5:06.2f}" == '-01.50', f"{0.41237:g}" == '0.41237', f"{3:4d}" == '   3'
    expect(new FilenameTemplate('{lr:.2e}_{neg:06.2f}_{val_loss:g}_{epoch:4d}', false).format(v)).toBe('1.00e-03_-01.50_0.41237_   3');
    expect(new FilenameTemplate('{{x}}-{val_dice/tumor:.1f}').format(v)).toBe('{x}-val_dice_tumor=0.7');
  });

  it('rejects malformed templates at once and unknown fields when formatting, naming what is available', () => {
    for (const bad of ['{epoch', 'a}b', '{epoch:03q}', '{}', '']) {
      expect(() => new FilenameTemplate(bad)).toThrow(expect.objectContaining({ code: 'KILN_CALLBACK_TEMPLATE_FIELD' }));
    }
    const t = new FilenameTemplate('{epoch}-{val_acc:.2f}');
    expect(t.fields).toEqual(['epoch', 'val_acc']);
    expect(() => t.format({ epoch: 1, val_loss: 2 })).toThrow(/uses \{val_acc\}, which is not logged\. Available: epoch, val_loss/);
  });
});
