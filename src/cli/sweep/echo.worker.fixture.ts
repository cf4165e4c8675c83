// Test fixture for pool.test.ts: doubles a number, fails on negatives, dies on NaN.
import { parentPort } from 'node:worker_threads';

parentPort!.on('message', ({ jobIndex, job }: { jobIndex: number; job: number }) => {
  if (Number.isNaN(job)) process.exit(3);
  if (job < 0) {
    parentPort!.postMessage({ type: 'error', jobIndex, message: `negative job ${job}` });
    return;
  }
  parentPort!.postMessage({ type: 'progress', jobIndex, progress: 0.5 });
  parentPort!.postMessage({ type: 'done', jobIndex, result: job * 2 });
});
