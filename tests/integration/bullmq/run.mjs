// BullMQ against ember-server: a producer adds immediate jobs, delayed jobs, a job that fails
// twice before succeeding (attempts with fixed backoff) and a repeatable job; a worker
// processes them. Prints one JSON line with what happened; exits non-zero on a timeout.
// Usage: node run.mjs <port>
import { Queue, Worker, QueueEvents } from 'bullmq';

const port = Number(process.argv[2]);
const connection = { host: '127.0.0.1', port };
const queueName = 'ember-check';

const queue = new Queue(queueName, { connection });
await queue.obliterate({ force: true }).catch(() => {});
const events = new QueueEvents(queueName, { connection });
await events.waitUntilReady();

const seen = { completed: [], failedAttempts: 0, delayedOrder: [], repeat: 0 };
const start = Date.now();
const worker = new Worker(queueName, async (job) => {
  if (job.name === 'flaky' && job.attemptsMade < 2) {
    throw new Error('transient failure ' + job.attemptsMade);
  }
  if (job.name.startsWith('delayed')) seen.delayedOrder.push(job.name);
  if (job.name === 'tick') seen.repeat++;
  return { doubled: (job.data.n ?? 0) * 2, ranAfterMs: Date.now() - start };
}, { connection, concurrency: 4 });
worker.on('failed', () => { seen.failedAttempts++; });
worker.on('completed', (job, result) => { seen.completed.push({ name: job.name, result }); });

for (let i = 0; i < 10; i++) await queue.add('now' + i, { n: i });
await queue.add('delayed-late', { n: 100 }, { delay: 600 });
await queue.add('delayed-early', { n: 101 }, { delay: 300 });
await queue.add('flaky', { n: 7 }, { attempts: 3, backoff: { type: 'fixed', delay: 100 } });
await queue.add('tick', { n: 1 }, { repeat: { every: 150, limit: 3 } });

const deadline = Date.now() + 20000;
while (Date.now() < deadline) {
  const done = seen.completed.length;
  if (done >= 16 && seen.repeat >= 3) break;
  await new Promise((r) => setTimeout(r, 50));
}
const counts = await queue.getJobCounts('completed', 'failed', 'delayed', 'wait', 'active');
const flaky = seen.completed.find((c) => c.name === 'flaky');
const delayedLate = seen.completed.find((c) => c.name === 'delayed-late');
const summary = {
  completed: seen.completed.length,
  failedAttempts: seen.failedAttempts,
  delayedOrder: seen.delayedOrder,
  delayedLateAfterMs: delayedLate ? delayedLate.result.ranAfterMs : null,
  flakyResult: flaky ? flaky.result.doubled : null,
  repeat: seen.repeat,
  counts,
};
console.log(JSON.stringify(summary));
await worker.close();
await events.close();
await queue.close();
process.exit(seen.completed.length >= 16 && seen.repeat >= 3 ? 0 : 2);
