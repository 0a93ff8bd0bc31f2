import { execFile } from 'node:child_process';

/** What a child process saw after loading the binding (and, for `verify`, running 1+2). */
export interface ChildReport {
  readonly tfVersion: string;
  readonly gpu: boolean;
  /** GPU name parsed from TensorFlow's device log, when a GPU device was created. */
  readonly gpuName?: string;
  readonly backend?: string;
  readonly sum?: number[];
}

export type ChildResult = { ok: true; report: ChildReport } | { ok: false; error: string };

// Loads only the binding (no tfjs, no backend switch): cheap enough for probe().
const PROBE = `const b = require(process.argv[1]);
process.stdout.write('@@KILN' + JSON.stringify({ tfVersion: b.TF_Version, gpu: !!b.isUsingGpuDevice() }) + '\\n');`;

// Loads the whole package and runs a tiny op on the 'tensorflow' backend.
const VERIFY = `const tf = require(process.argv[1]);
const s = tf.add(tf.tensor1d([1, 2]), tf.tensor1d([2, 3])).dataSync();
const be = tf.engine().backend;
process.stdout.write('@@KILN' + JSON.stringify({ backend: tf.getBackend(), tfVersion: be.binding.TF_Version, gpu: !!be.isUsingGpuDevice, sum: Array.from(s) }) + '\\n');`;

/** The GPU name in TensorFlow's "Created device …GPU:0 … name: X, pci bus id" log line. */
export function parseGpuName(stderr: string): string | undefined {
  return /device:GPU:\d+[^\n]*?name: ([^,\n]+), pci bus id/.exec(stderr)?.[1]?.trim();
}

/** The most useful line of a failed child's stderr (the dlopen or require error). */
export function errorLine(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const hit = lines.find((l) => /Error:|cannot open shared object|undefined symbol|not found/i.test(l));
  return (hit ?? lines.at(-1) ?? 'no output').slice(0, 400);
}

function run(script: string, arg: string, env: NodeJS.ProcessEnv = {}): Promise<ChildResult> {
  return new Promise((done) => {
    execFile(process.execPath, ['-e', script, arg], { timeout: 180_000, maxBuffer: 16 << 20, env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '0', ...env } },
      (err, stdout, stderr) => {
        const line = stdout.split('\n').find((l) => l.startsWith('@@KILN'));
        if (err || !line) {
          done({ ok: false, error: errorLine(`${stderr}\n${err?.message ?? ''}`) });
          return;
        }
        const report = JSON.parse(line.slice(6)) as ChildReport;
        const gpuName = report.gpu ? parseGpuName(stderr) : undefined;
        done({ ok: true, report: gpuName ? { ...report, gpuName } : report });
      });
  });
}

/** Loads a `tfjs_binding.node` in a child process and reports TF version and GPU use. */
export function probeBinding(bindingPath: string): Promise<ChildResult> {
  return run(PROBE, bindingPath);
}

/** Loads a tfjs-node package folder in a child process and checks that 1+2 = 3 on 'tensorflow'. */
export async function verifyPackage(packageDir: string): Promise<ChildResult> {
  const r = await run(VERIFY, packageDir);
  if (r.ok && (r.report.backend !== 'tensorflow' || r.report.sum?.join(',') !== '3,5')) {
    return { ok: false, error: `expected backend 'tensorflow' computing [3,5], got ${r.report.backend} computing [${r.report.sum?.join(',')}]` };
  }
  return r;
}
