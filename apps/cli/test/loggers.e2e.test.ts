// End to end through the real CLI: `kiln train` with the TensorBoard, W&B and MLflow loggers
// pointed at the plugins' own loopback servers, then servers down during the run and `kiln sync`.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readHistory } from '@kiln/loggers';
import { filesContaining, freePort } from '@kiln/loggers/testing';
import { readEventFile } from '@kiln/plugin-logger-tensorboard';
import { main } from '../src/main.js';
import type { Io } from '../src/internal/output.js';
import { type MlflowServer, startMlflowServer } from '../../../plugins/logger-mlflow/test/mlflow-server.js';
import { type WandbServer, startWandbServer } from '../../../plugins/logger-wandb/test/wandb-server.js';

function capture(cwd: string, env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (t) => out.push(t), err: (t) => err.push(t), env, cwd };
  return { io, out: () => out.join('\n'), err: () => err.join('\n') };
}

const TINY = ['backend=wasm', 'data.size=32', 'data.valSize=8', 'data.imageSize=32', 'model.depth=2', 'model.baseFilters=4', 'trainer.maxEpochs=2'];

describe('kiln train with loggers [tensorboard, wandb, mlflow]', () => {
  it('debug', async () => {
    const key = randomBytes(20).toString('hex');
    const token = `tok-${randomBytes(12).toString('hex')}`;
    const wandb = await startWandbServer(key);
    const mlflow = await startMlflowServer({ auth: { token } });
    const cwd = mkdtempSync(join(tmpdir(), 'kiln-e2e-'));
    const env = { WANDB_API_KEY: key, WANDB_BASE_URL: wandb.url, WANDB_PROJECT: 'e2e', MLFLOW_TRACKING_URI: mlflow.url, MLFLOW_TRACKING_TOKEN: token };
    const c = capture(cwd, env);
    const code = await main(['train', ...TINY, 'name=online', 'loggers=[jsonl,tensorboard,wandb,mlflow]'], c.io);
    console.log(code, c.out(), c.err());
    const runDir = join(cwd, 'runs', 'online');
    console.log(readdirSync(runDir, { recursive: true }));
    console.log(JSON.stringify(readHistory(join(runDir, 'history.jsonl'))));
    const run = [...wandb.runs.values()][0]!;
    console.log(JSON.stringify(run.history).slice(0, 3000));
    const mr = [...mlflow.runs.values()][0]!;
    console.log(JSON.stringify(mr.metrics).slice(0, 3000));
    const tb = readdirSync(join(runDir, 'tensorboard'));
    console.log(tb, JSON.stringify(readEventFile(join(runDir, 'tensorboard', tb[0]!)).map((e) => [e.step, e.values.map((v) => [v.tag, v.simpleValue])])).slice(0, 3000));
    console.log(filesContaining(runDir, [key, token]));
    await wandb.close();
    await mlflow.close();
    void writeFileSync; void freePort; void ({} as MlflowServer | WandbServer);
  });
});
