import { describe, expect, it } from 'vitest';
import { flattenParams, isSecretKey, redactSecrets } from './redact.js';

describe('redaction', () => {
  it('recognises secret-looking keys', () => {
    for (const k of ['api_key', 'apiKey', 'WANDB_API_KEY', 'token', 'accessToken', 'password', 'client_secret', 'mlflow.trackingPassword']) {
      expect(isSecretKey(k), k).toBe(true);
    }
    for (const k of ['lr', 'batchSize', 'model.name', 'epochs']) expect(isSecretKey(k), k).toBe(false);
  });

  it('redacts deeply without touching the input', () => {
    const input = { a: 1, nested: { token: 'abc', list: [{ secret: 's' }, 2] }, password: null };
    expect(redactSecrets(input)).toEqual({ a: 1, nested: { token: '***', list: [{ secret: '***' }, 2] }, password: null });
    expect(input.nested.token).toBe('abc');
    expect(flattenParams(input)).toEqual({ a: 1, 'nested.token': '***', 'nested.list': [{ secret: '***' }, 2], password: null });
  });
});
