import type { Logger } from '@kiln/core-trainer';
import { describe, expect, it } from 'vitest';
import { FanoutLogger } from './fanout-logger.js';

function recorder(name: string, calls: string[]): Logger {
  return {
    name,
    logParams: () => void calls.push(`${name}:params`),
    logMetrics: (step) => void calls.push(`${name}:metrics:${step}`),
    finish: (s) => void calls.push(`${name}:finish:${s}`),
  };
}

describe('FanoutLogger', () => {
  it('calls every logger; a throwing or rejecting one breaks neither the others nor the caller', async () => {
    const calls: string[] = [];
    const reports: string[] = [];
    const boom: Logger = {
      name: 'boom',
      logParams: () => { throw new Error('sync failure'); },
      logMetrics: () => Promise.reject(new Error('async failure')),
      finish: () => { throw new Error('finish failure'); },
    };
    const fan = new FanoutLogger([recorder('a', calls), boom, recorder('b', calls)], {
      onError: (logger, method, e) => reports.push(`${logger}.${method}: ${(e as Error).message}`),
    });
    expect(fan.logParams({ lr: 1 })).toBeUndefined(); // all synchronous: no promise
    await fan.logMetrics(1, { loss: 1 });
    await fan.logMetrics(2, { loss: 1 });
    await fan.finish('finished');
    expect(calls).toEqual(['a:params', 'b:params', 'a:metrics:1', 'b:metrics:1', 'a:metrics:2', 'b:metrics:2', 'a:finish:finished', 'b:finish:finished']);
    expect(reports).toEqual(['boom.logParams: sync failure']); // reported once
    expect(fan.failures()).toEqual([{ logger: 'boom', count: 4, first: 'sync failure' }]);
  });

  it('forwards optional calls only to loggers that have them, and waits for async ones', async () => {
    const seen: string[] = [];
    const slow: Logger = {
      name: 'slow', logParams() {}, finish() {},
      logMetrics: async (step) => { await new Promise((r) => setTimeout(r, 5)); seen.push(`m${step}`); },
      logText: (step, tag, text) => void seen.push(`${tag}=${text}`),
    };
    const fan = new FanoutLogger([slow, recorder('plain', [])]);
    fan.logText(0, 'config', 'yaml');
    fan.logImage(0, 'img', { height: 1, width: 1, channels: 1, data: new Uint8Array(1) });
    await fan.logMetrics(3, { x: 1 });
    expect(seen).toEqual(['config=yaml', 'm3']);
  });
});
