// A sweep worker process: receives jobs from its parent over IPC, runs each, sends back the result (or the error).
import { runJob } from './job.js';

process.on('message', (msg: { id: number; job: unknown }) => {
  try {
    process.send!({ id: msg.id, result: runJob(msg.job) });
  } catch (e) {
    process.send!({ id: msg.id, error: (e as Error).message });
  }
});
// a parent that dies (a killed queue worker) takes its job process with it
process.on('disconnect', () => process.exit(0));
process.send!({ ready: true });
