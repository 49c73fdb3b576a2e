// PyTorch on the same card, as the reference of issue 11's table: the cases of the other suites (same names, so
// they land in the same rows) run by bench/torch_ref.py, per call and queued like ours. Runs only where python3
// imports torch and torch sees a CUDA device (the H200 machine's image has both); otherwise the suite prints
// why and records nothing. `--torch-cpu` runs it on the cpu instead (to try the script on a machine without a GPU).
import { spawnSync } from 'node:child_process';
import { budgetS, elapsedS, summarise } from '../harness.js';
import { benchFile, record, skip, type Work } from '../common.js';
import type { BenchSizes } from '../sizes.js';

interface Job {
  suite: string;
  case: string;
  op: string;
  work: Work;
  [size: string]: unknown;
}

const M = 1 << 20;
const count = (n: number) => (n >= M ? `${n / M}M` : `${n >> 10}K`);

/** The cases of issue 11's table, named as the tessera suites name them. */
export function torchJobs(s: BenchSizes): Job[] {
  const jobs: Job[] = [];
  for (const n of s.matmul)
    jobs.push({ suite: 'matmul', case: `f32 ${n}x${n}x${n}`, op: 'matmul', n, work: { flops: 2 * n ** 3 } });
  const n = s.matmulOther;
  for (const dtype of ['float16', 'bfloat16']) {
    const short = dtype === 'float16' ? 'f16' : 'bf16';
    jobs.push({ suite: 'matmul', case: `${short} ${n}^3`, op: 'matmul', n, dtype, work: { flops: 2 * n ** 3 } });
  }
  for (const len of s.add)
    jobs.push({ suite: 'elementwise', case: `add ${count(len)} f32`, op: 'add', n: len, work: { bytes: 12 * len } });
  const [R, C] = s.rows;
  jobs.push({
    suite: 'reduce',
    case: `sum ${R}x${C} rows`,
    op: 'sum_rows',
    rows: R,
    cols: C,
    work: { bytes: 4 * R * C },
  });
  for (const [rows, cols] of s.softmax) {
    jobs.push({
      suite: 'softmax',
      case: `softmax ${rows}x${cols}`,
      op: 'softmax',
      rows,
      cols,
      work: { bytes: 8 * rows * cols },
    });
  }
  for (const { B, H, T, D } of s.attention) {
    const shape = `${B > 1 ? `B${B} ` : ''}T=${T} h=${H} d=${D}`;
    const flops = 4 * B * H * T * T * D;
    const a = { op: 'attention', B, H, T, D };
    jobs.push({ suite: 'attention', case: `causal ${shape}`, ...a, backward: false, work: { flops: flops / 2 } });
    jobs.push({
      suite: 'attention',
      case: `causal fwd+bwd ${shape}`,
      ...a,
      backward: true,
      work: { flops: (3.5 * flops) / 2 },
    });
  }
  for (const g of s.gpt) {
    const kase = `step L${g.layers} d${g.embd} T${g.block} b${g.batch}`;
    jobs.push({ suite: 'gpt', case: kase, op: 'gpt', ...g, work: {} });
  }
  return jobs;
}

export function torchSuite(sizes: BenchSizes): void {
  const device = process.argv.includes('--torch-cpu') ? 'cpu' : 'cuda';
  const jobs = torchJobs(sizes);
  const left = Number.isFinite(budgetS) ? Math.max(10, budgetS - elapsedS()) : 600;
  const spec = { device, calls: sizes.queued, max_time: sizes.table === 'tiny' ? 0.1 : 0.5, budget: left * 0.5, jobs };
  const r = spawnSync('python3', [benchFile('torch_ref.py')], {
    input: JSON.stringify(spec),
    encoding: 'utf8',
    timeout: Math.round(left * 1e3),
    stdio: ['pipe', 'pipe', 'inherit'],
    maxBuffer: 64 * M,
  });
  if (r.status !== 0) {
    const why = r.error
      ? r.error.message
      : r.status === 3
        ? 'python3 has no usable torch here (its message is above)'
        : `torch_ref.py exited with ${r.status ?? r.signal}`;
    skip('torch', 'PyTorch reference', why);
    return;
  }
  const out = JSON.parse(r.stdout) as {
    torch: string;
    device: string;
    results: { suite: string; case: string; latency: number[]; queued: number[] }[];
    skipped: string[];
    failed: string[];
  };
  const impl = device === 'cuda' ? 'PyTorch CUDA' : 'PyTorch cpu';
  console.log(`  torch ${out.torch} on ${out.device}`);
  for (const res of out.results) {
    const job = jobs.find((j) => j.suite === res.suite && j.case === res.case)!;
    record(res.suite, res.case, impl, summarise(res.latency, 'latency'), job.work);
    record(res.suite, res.case, impl, summarise(res.queued, `queued x${sizes.queued}`), job.work);
  }
  for (const kase of out.skipped) skip('torch', kase, 'the time budget of the PyTorch part was spent');
  for (const f of out.failed) skip('torch', 'PyTorch case', `failed: ${f}`);
}
