// Worker-thread entry: register tsx so the TypeScript job module runs as-is, then load it.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);
