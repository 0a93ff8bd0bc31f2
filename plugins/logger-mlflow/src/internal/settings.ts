import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { KilnError } from '@kiln/core-trainer';
import { MlflowErrorCodes } from '../errors.js';
import type { MlflowOptions } from '../options.js';
import type { MlflowEndpoint } from './client.js';

export interface MlflowSettings {
  readonly endpoint: MlflowEndpoint;
  readonly experimentName: string;
  readonly experimentId: string | undefined;
  readonly runId: string | undefined;
  readonly user: string;
  /** Strings that must never be written anywhere (password, token). */
  readonly secrets: string[];
}

/** Options merged with the `MLFLOW_*` environment (options win); a non-http URI fails with KILN_MLFLOW_URI_INVALID. */
export function resolveSettings(o: Partial<MlflowOptions>, env: Readonly<Record<string, string | undefined>>): MlflowSettings {
  const e = (k: string): string | undefined => (env[k] === undefined || env[k] === '' ? undefined : env[k]);
  const uri = o.trackingUri ?? e('MLFLOW_TRACKING_URI') ?? 'http://127.0.0.1:5000';
  let parsed: URL | undefined;
  try {
    parsed = new URL(uri);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !/^https?:$/.test(parsed.protocol)) {
    throw new KilnError(MlflowErrorCodes.URI_INVALID, `MLflow tracking URI '${parsed ? `${parsed.protocol}…` : 'invalid'}' is not an http(s) URL. Set MLFLOW_TRACKING_URI (or the mlflow logger's 'trackingUri') to a tracking server, e.g. http://127.0.0.1:5000.`);
  }
  const username = e('MLFLOW_TRACKING_USERNAME');
  const password = e('MLFLOW_TRACKING_PASSWORD');
  const token = e('MLFLOW_TRACKING_TOKEN');
  const auth = username && password ? { kind: 'basic' as const, username, password } : token ? { kind: 'bearer' as const, token } : undefined;
  const timeout = Number(e('MLFLOW_HTTP_REQUEST_TIMEOUT'));
  const caPath = e('MLFLOW_TRACKING_SERVER_CERT_PATH');
  let user = e('USER') ?? e('LOGNAME') ?? e('USERNAME');
  if (!user) {
    try {
      user = userInfo().username;
    } catch {
      user = 'unknown';
    }
  }
  return {
    endpoint: {
      trackingUri: `${parsed.origin}${parsed.pathname}`.replace(/\/+$/, ''),
      auth,
      timeoutMs: o.timeoutMs ?? (timeout > 0 ? timeout * 1000 : 120_000),
      tls: { insecure: /^(1|true)$/i.test(e('MLFLOW_TRACKING_INSECURE_TLS') ?? ''), ...(caPath ? { ca: readFileSync(caPath) } : {}) },
    },
    experimentName: o.experimentName ?? e('MLFLOW_EXPERIMENT_NAME') ?? 'Default',
    experimentId: o.experimentId ?? e('MLFLOW_EXPERIMENT_ID'),
    runId: o.runId ?? e('MLFLOW_RUN_ID'),
    user,
    secrets: [password, token].filter((s): s is string => !!s),
  };
}
