import 'reflect-metadata';
// Child process for the SIGKILL test: appends records forever, printing each acknowledged seq
// ("<seq>\n") to stdout only after append returned, until it is killed.
import { Outbox } from '../outbox/outbox.js';

const dir = process.argv[2]!;
const start = Number(process.argv[3] ?? 0);
const box = await Outbox.open(dir, { segmentBytes: 2048 });
for (let i = start; ; i++) {
  const seq = box.append('metrics', `metrics:${i}`, { step: i, loss: 1 / (i + 1), text: 'x'.repeat(i % 50) });
  if (seq < 0) throw new Error(box.status().lastError);
  process.stdout.write(`${i}\n`);
  if (i % 64 === 0) await new Promise((r) => setImmediate(r));
}
