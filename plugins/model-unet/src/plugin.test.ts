import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { PluginHost } from '@kiln/core-trainer';
import { container } from 'tsyringe';
import { beforeAll, describe, expect, it } from 'vitest';
import plugin, { unetFactory } from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('model-unet plugin', () => {
  it('registers unet and unet-classic; the factory takes channels and classes from the context', async () => {
    const host = new PluginHost(container.createChildContainer()).use(plugin);
    await host.setup();
    expect(host.registries.models.names()).toEqual(['unet', 'unet-classic']);
    expect(host.registries.models.entry('unet').plugin).toBe('model-unet');
    const factory = host.registries.models.get('unet');
    const options = factory.schema.parse({ baseFilters: 4 });
    const model = factory.create(options, { inputShape: [16, 16, 3], numClasses: 3, task: 'segmentation' });
    expect(model.inputs[0]!.shape).toEqual([null, 16, 16, 3]);
    expect(model.outputs[0]!.shape).toEqual([null, 16, 16, 3]);
    expect(model.getLayer('head').getConfig().activation).toBe('softmax');
    model.dispose();
  });

  it('rejects unknown option keys in the schema and a channel mismatch against the dataset', () => {
    expect(unetFactory.schema.safeParse({ depht: 3 }).success).toBe(false);
    expect(() => unetFactory.create({ inChannels: 1 }, { inputShape: [16, 16, 3], numClasses: 1, task: 'segmentation' }))
      .toThrow(expect.objectContaining({ code: 'KILN_MODEL_CHANNELS_MISMATCH', message: expect.stringMatching(/set it to 3/) }));
  });
});
