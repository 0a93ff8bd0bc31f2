// The loopback W&B and MLflow servers of the logger plugins' tests (plugins/logger-*/test/*-server.ts,
// TypeScript: run with `node --import tsx`), in their own process so the training process only pays
// for what a real remote server costs it. Started by the loggers section with an IPC channel:
// sends { ready, wandb, mlflow } once listening; answers 'stats' with what each server holds; exits on 'close'.
import { fileURLToPath } from 'node:url';

const path = (rel) => fileURLToPath(new URL(rel, import.meta.url));
const { startWandbServer } = await import(path('../../../plugins/logger-wandb/test/wandb-server.ts'));
const { startMlflowServer } = await import(path('../../../plugins/logger-mlflow/test/mlflow-server.ts'));

const { apiKey, token } = JSON.parse(process.argv[2]);
const wandb = await startWandbServer(apiKey);
const mlflow = await startMlflowServer({ auth: { token } });

/** CPU seconds (user + system) this server process has used. */
const cpuSec = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};

/**
 * Per server: runs, stored history rows (W&B) / metric values (MLflow; also distinct by key, step and
 * value: like MLflow's SQL store, the server keeps one value per (key, step, value, timestamp), so two
 * rows of one step logging the same `lr` in the same millisecond are one), finished runs, refused requests.
 */
function stats() {
  const w = [...wandb.runs.values()];
  const m = [...mlflow.runs.values()];
  const refusals = (log) => log.filter((l) => typeof l.status !== 'number' || l.status >= 400);
  const refused = (log) => refusals(log).length;
  const refusedPaths = (log) => [...new Set(refusals(log).map((l) => `${l.method} ${l.path} ${l.status}`))];
  return {
    wandb: { runs: w.length, historyRows: w.reduce((n, r) => n + r.history.length, 0), complete: w.filter((r) => r.complete).length, requests: wandb.log.length, refused: refused(wandb.log), refusedPaths: refusedPaths(wandb.log) },
    mlflow: { runs: m.length, metricValues: m.reduce((n, r) => n + r.metrics.length, 0), distinctMetrics: m.reduce((n, r) => n + new Set(r.metrics.map((x) => `${x.key}|${x.step}|${x.value}`)).size, 0), finished: m.filter((r) => r.info.status === 'FINISHED').length, requests: mlflow.log.length, refused: refused(mlflow.log), refusedPaths: refusedPaths(mlflow.log) },
  };
}

process.on('message', async (msg) => {
  if (msg === 'stats') process.send({ stats: stats() });
  if (msg === 'cpu') process.send({ cpuSec: cpuSec() });
  if (msg === 'close') {
    await Promise.all([wandb.close(), mlflow.close()]);
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ ready: true, wandb: wandb.url, mlflow: mlflow.url });
