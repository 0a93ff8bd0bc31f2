// The loggers section (issue 8, "Faults": training must not be slowed by the remote loggers beyond
// the benchmark's noise): Trainer img/s with no remote logger, with W&B + MLflow pointed at a port
// where no server listens, and with both pointed at live loopback servers (the plugins' test
// servers, in their own process), as ratios from one process per backend (src/logger-worker.mjs).
// Afterwards the live servers must hold exactly what the live runs wrote: the "live" numbers are real deliveries.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@kiln/loggers/testing';
import { median, runWorker } from './proc.mjs';

const here = dirname(fileURLToPath(import.meta.url));

/** Starts the loopback W&B + MLflow servers in a child process (TypeScript, through tsx). */
function startServers(secrets) {
  return new Promise((resolve, reject) => {
    const child = fork(join(here, 'logger-servers.mjs'), [JSON.stringify(secrets)], { execArgv: ['--import', 'tsx'], cwd: join(here, '..'), stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.once('exit', (code) => reject(new Error(`loopback servers exited (${code}): ${stderr.trim().split('\n').at(-1) ?? ''}`)));
    child.once('message', (m) => {
      child.removeAllListeners('exit');
      const ask = (msg) => new Promise((r) => { child.once('message', r); child.send(msg); });
      resolve({ urls: m, stats: async () => (await ask('stats')).stats, cpuSec: async () => (await ask('cpu')).cpuSec, close: () => new Promise((r) => { child.once('exit', r); child.send('close'); }) });
    });
  });
}

/**
 * Runs the loggers section.
 * @param {{ backends: string[], repeats: number, rounds: number, budget: number }} cfg
 * @param {{ log: (line: string) => void, load: () => void }} io
 */
export async function runLoggersSection(cfg, { log, load }) {
  const secrets = { apiKey: randomBytes(20).toString('hex'), token: `tok-${randomBytes(16).toString('hex')}` };
  const servers = await startServers(secrets);
  const down = { wandb: `http://127.0.0.1:${await freePort()}`, mlflow: `http://127.0.0.1:${await freePort()}` };
  const env = (urls) => ({
    WANDB_API_KEY: secrets.apiKey, WANDB_BASE_URL: urls.wandb, WANDB_PROJECT: 'bench',
    MLFLOW_TRACKING_URI: urls.mlflow, MLFLOW_TRACKING_TOKEN: secrets.token, MLFLOW_EXPERIMENT_NAME: 'bench',
  });
  const loggerEnv = JSON.stringify({ live: env(servers.urls), down: env(down) });
  const runs = new Map(cfg.backends.map((b) => [b, []]));
  const serverCpu = new Map(cfg.backends.map((b) => [b, 0]));
  try {
    for (let rep = 0; rep < cfg.repeats; rep++) {
      for (const backend of cfg.backends) {
        if (runs.get(backend).length && !runs.get(backend)[0].ok) continue;
        const cpu0 = await servers.cpuSec();
        const r = await runWorker('logger-worker.mjs', { backend, budget: cfg.budget, rounds: cfg.rounds }, { env: { KILN_BENCH_LOGGER_ENV: loggerEnv } });
        serverCpu.set(backend, serverCpu.get(backend) + (await servers.cpuSec()) - cpu0);
        runs.get(backend).push(r);
        load();
        log(`loggers: ${backend} #${rep + 1}: ${r.ok ? Object.entries(r.modes).map(([m, v]) => `${m} ${v.ips.map((n) => n.toFixed(1)).join('/')}`).join(', ') + ' img/s' : r.error}`);
      }
    }
    const stats = await servers.stats();
    const all = [...runs.values()].flat().filter((r) => r.ok);
    const wrote = all.reduce((a, r) => ({ runs: a.runs + r.live.runs, rows: a.rows + r.live.rows, scalars: a.scalars + r.live.scalars, distinct: a.distinct + r.live.distinct }), { runs: 0, rows: 0, scalars: 0, distinct: 0 });
    const delivery = {
      wrote, servers: stats,
      complete: stats.wandb.runs === wrote.runs && stats.wandb.complete === wrote.runs && stats.wandb.historyRows === wrote.rows
        && stats.mlflow.runs === wrote.runs && stats.mlflow.finished === wrote.runs && stats.mlflow.distinctMetrics === wrote.distinct
        && stats.mlflow.metricValues >= wrote.distinct && stats.mlflow.metricValues <= wrote.scalars,
    };
    log(`loggers: live servers hold ${stats.wandb.historyRows}/${wrote.rows} W&B history rows, ${stats.mlflow.metricValues}/${wrote.scalars} MLflow metric values (distinct by key, step, value: ${stats.mlflow.distinctMetrics}/${wrote.distinct}) from ${wrote.runs} runs`);
    const results = cfg.backends.map((backend) => {
      const ok = runs.get(backend).filter((r) => r.ok);
      if (!ok.length) return { backend, ok: false, error: runs.get(backend)[0]?.error ?? 'not run' };
      const modes = Object.fromEntries(Object.keys(ok[0].modes).map((m) => {
        const ips = ok.flatMap((r) => r.modes[m].ips);
        return [m, {
          imgPerSec: median(ips), samples: ips, finishSec: median(ok.flatMap((r) => r.modes[m].finishSec)),
          cpuMsPerStep: median(ok.flatMap((r) => r.modes[m].cpuMsPerStep)), leakedTensors: Math.max(...ok.map((r) => r.modes[m].leaked)),
        }];
      }));
      // Noise: the spread of the baseline's own samples (max/min − 1), to read the ratios against.
      const base = modes.none.samples;
      return {
        backend, ok: true, device: ok[0].device, model: ok[0].model, batch: ok[0].batch, stepsPerFit: ok[0].steps, fits: ok.reduce((n, r) => n + r.rounds, 0),
        modes, ratio: { down: modes.down.imgPerSec / modes.none.imgPerSec, live: modes.live.imgPerSec / modes.none.imgPerSec },
        noise: Math.max(...base) / Math.min(...base) - 1, loggerErrors: ok.flatMap((r) => r.loggerErrors),
        // The loopback servers share this machine's 2 cores: their CPU use while this backend's live fits ran
        // (warm-up included), as a share of one core over those fits — contention a remote server would not cause.
        serverCpuShare: serverCpu.get(backend) / ok.reduce((n, r) => n + r.live.fitSec, 0),
      };
    });
    return {
      date: new Date().toISOString(),
      method: 'Kiln Trainer.fit, CNN 64² b32, train_loss_step/lr/grad_norm logged every step; none = JSONL history only; down = JSONL + W&B + MLflow at a loopback port with no server (connection refused); live = JSONL + W&B + MLflow at the loopback servers of the plugins\' tests (separate process, same 2 cores); modes alternate round-robin in one process per backend, fresh loggers and run dir per fit; fit timed, finish() reported apart (down: finishTimeoutMs 1000)',
      results, delivery,
    };
  } finally {
    await servers.close();
  }
}
