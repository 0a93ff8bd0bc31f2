// Entry point of a decode worker thread: decodes, augments and normalises one record per message.
import 'reflect-metadata';
import { parentPort } from 'node:worker_threads';
import { finishSample, loadFitted } from '../pipeline/pipeline.js';
import { type DecodeTask, serializeError, type WorkerReply } from './protocol.js';

const port = parentPort!;
port.on('message', async ({ id, task }: { id: number; task: DecodeTask }) => {
  try {
    const fitted = task.fitted ?? (await loadFitted(task.record, task.cfg));
    const { x, y } = finishSample(fitted, task.record, task.cfg, task.draw);
    const reply: WorkerReply = { id, ok: true, result: { x, y, fitted: task.wantFitted && !task.fitted ? fitted : undefined } };
    port.postMessage(reply, typeof y === "number" ? [x.buffer as ArrayBuffer] : [x.buffer as ArrayBuffer, y.buffer as ArrayBuffer]);
  } catch (e) {
    port.postMessage({ id, ok: false, error: serializeError(e) } satisfies WorkerReply);
  }
});
