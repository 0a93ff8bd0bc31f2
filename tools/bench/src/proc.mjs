// Shared helpers of the suite's sections: one measurement per child process, medians.
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** Median of numbers (undefined for none). @param {number[]} a */
export function median(a) {
  const s = [...a].sort((p, q) => p - q);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : undefined;
}

/**
 * Runs `src/<script>` with the job as its JSON argument and resolves with the object of its
 * `@@BENCH {json}` line, or `{ ok: false, error }` when it printed none (crash, timeout).
 * @param {string} script @param {Record<string, unknown>} job @param {{ nodeArgs?: string[], env?: Record<string, string> }} [o]
 */
export function runWorker(script, job, o = {}) {
  return new Promise((done) => {
    execFile(process.execPath, [...(o.nodeArgs ?? []), join(here, script), JSON.stringify(job)],
      { maxBuffer: 64 << 20, timeout: 900_000, env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2', ...o.env } },
      (err, stdout, stderr) => {
        const line = stdout.split('\n').find((l) => l.startsWith('@@BENCH '));
        if (line) done(JSON.parse(line.slice(8)));
        else done({ ...job, ok: false, error: `worker crashed: ${(err?.message ?? '').split('\n')[0]} ${stderr.trim().split('\n').at(-1) ?? ''}` });
      });
  });
}
