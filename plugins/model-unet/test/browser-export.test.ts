import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { saveModelFiles } from '@kiln/core-trainer';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildUnet } from '../src/unet.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.log(`browser export test skipped: ${CHROMIUM} not found (apt-get install -y chromium)`);

const require = createRequire(import.meta.url);
const dist = (pkg: string, file: string): string => join(dirname(require.resolve(`${pkg}/package.json`)), 'dist', file);

let dir: string;
let server: Server;
let base: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'kiln-export-'));
  const routes: Record<string, [string, string]> = {
    '/tf-core.js': [dist('@tensorflow/tfjs-core', 'tf-core.min.js'), 'text/javascript'],
    '/tf-backend-cpu.js': [dist('@tensorflow/tfjs-backend-cpu', 'tf-backend-cpu.min.js'), 'text/javascript'],
    '/tf-layers.js': [dist('@tensorflow/tfjs-layers', 'tf-layers.min.js'), 'text/javascript'],
    '/model/model.json': [join(dir, 'model', 'model.json'), 'application/json'],
    '/model/weights.bin': [join(dir, 'model', 'weights.bin'), 'application/octet-stream'],
  };
  const page = '<!doctype html><script src="/tf-core.js"></script><script src="/tf-backend-cpu.js"></script><script src="/tf-layers.js"></script>';
  server = createServer((req, res) => {
    if (req.url === '/') return void res.writeHead(200, { 'content-type': 'text/html' }).end(page);
    const route = routes[req.url ?? ''];
    if (!route) return void res.writeHead(404).end();
    readFile(route[0]).then((body) => res.writeHead(200, { 'content-type': route[1] }).end(body), () => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe('a trained UNet exported in the tfjs layers format', () => {
  it.skipIf(!hasChromium)('loads in headless Chromium with tfjs from node_modules and predicts as in Node (max |Δ| ≤ 1e-5)', async () => {
    const model = buildUnet({ inputShape: [16, 16, 1], depth: 2, baseFilters: 4 });
    const x = tf.tidy(() => tf.sin(tf.reshape(tf.range(0, 2 * 16 * 16, 1, 'float32'), [2, 16, 16, 1])));
    const y = tf.tidy(() => tf.cast(tf.greater(x, 0), 'float32'));
    const optimizer = tf.train.adam(0.01);
    for (let i = 0; i < 3; i++) {
      tf.tidy(() => {
        optimizer.minimize(() => tf.mean(tf.square(tf.sub(model.apply(x, { training: true }) as tf.Tensor, y))) as tf.Scalar);
      });
    }
    await saveModelFiles(model, join(dir, 'model'));
    const expected = Array.from(tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync()));

    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
    try {
      const page = await browser.newPage();
      await page.goto(`${base}/`);
      const got = await page.evaluate(async (input) => {
        const tfg = (globalThis as unknown as { tf: typeof tf & { loadLayersModel(url: string): Promise<{ predict(t: tf.Tensor): tf.Tensor }> } }).tf;
        await tfg.setBackend('cpu');
        const m = await tfg.loadLayersModel('/model/model.json');
        return Array.from(m.predict(tfg.tensor(input.data, input.shape)).dataSync());
      }, { data: Array.from(x.dataSync()), shape: x.shape });
      expect(got).toHaveLength(expected.length);
      const diff = Math.max(...got.map((v, i) => Math.abs(v - expected[i]!)));
      expect(diff).toBeLessThanOrEqual(1e-5);
    } finally {
      await browser.close();
    }
    optimizer.dispose();
    tf.dispose([x, y]);
    model.dispose();
  });
});
