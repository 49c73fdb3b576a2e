# The machine's ceilings for the roofline: OpenBLAS sgemm GFLOP/s (numpy) and memory bandwidth (a large copy).
# Prints one JSON object; bench/suites/ceilings.ts runs it when python3 with numpy is installed.
import json, sys, time
import numpy as np

quick = '--quick' in sys.argv

def median(f, reps):
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter(); f(); ts.append(time.perf_counter() - t0)
    return sorted(ts)[len(ts) // 2]

out = {'numpy': np.__version__, 'sgemm': {}}
for n in ([1024] if quick else [512, 1024, 2048]):
    a = np.random.rand(n, n).astype(np.float32); b = np.random.rand(n, n).astype(np.float32)
    a @ b
    out['sgemm'][n] = 2 * n ** 3 / median(lambda: a @ b, 3 if quick else 7) / 1e9
src = np.ones(1 << 25, dtype=np.float32); dst = np.empty_like(src)  # 128 MiB each
np.copyto(dst, src)
out['copy_GBps'] = 2 * src.nbytes / median(lambda: np.copyto(dst, src), 3 if quick else 7) / 1e9
print(json.dumps(out))
