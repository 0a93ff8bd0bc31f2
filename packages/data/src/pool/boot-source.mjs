// Development only: runs the TypeScript worker entry (tests, `@kiln/source`) through tsx.
// The published package starts dist/pool/worker.js directly and never loads this file.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
