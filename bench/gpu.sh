#!/usr/bin/env bash
# The kernel suite on a lent H100/H200 through the `device` tool, in one call of under 8 minutes.
# Prepare once on the dev machine (see the device README): the Vulkan loader debs under .gl/ (ignored by git):
#   echo /.gl/ >>.git/info/exclude; mkdir -p .gl /tmp/amd64/partial; o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
#   apt-get $o update; (cd .gl && apt-get $o download libvulkan1)
# Then call the device tool's run with carry [".gl", "node_modules"] and the command `bash bench/gpu.sh`.
# It runs tessera's matmul/kernels/mlp suites (no peers: they would double the time) and the same matmul and
# attention shapes in PyTorch on the same card, writing both under $OUT.
set -uo pipefail
for f in .gl/*.deb; do dpkg -x "$f" /; done; ldconfig
export VK_DRIVER_FILES=${VK_DRIVER_FILES:-/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json}
export XDG_RUNTIME_DIR=/tmp/xdg; mkdir -p "$XDG_RUNTIME_DIR"; chmod 700 "$XDG_RUNTIME_DIR"
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name,driver_version --format=csv | tee "$OUT/gpu.txt"
timeout 300 npx tsx bench/run.ts --only=matmul,kernels,mlp,overhead --no-peers 2>&1 | grep -v '^Warning' | tee "$OUT/tessera.log"
cp bench/results/*.json "$OUT/" 2>/dev/null
PYTHONUNBUFFERED=1 timeout 120 python3 - <<'PY' 2>&1 | tee "$OUT/torch.log"
import torch, time
def med(f, reps=20):
    f(); torch.cuda.synchronize(); ts = []
    for _ in range(reps):
        t0 = time.perf_counter(); f(); torch.cuda.synchronize(); ts.append(time.perf_counter() - t0)
    return sorted(ts)[reps // 2]
for dt in (torch.float32, torch.float16):
    for n in (512, 1024, 2048, 4096):
        a = torch.randn(n, n, device='cuda', dtype=dt); b = torch.randn(n, n, device='cuda', dtype=dt)
        t = med(lambda: a @ b); print(f'torch matmul {dt} {n}: {t*1e3:.3f} ms {2*n**3/t/1e9:.1f} GFLOP/s')
for T in (128, 512):
    q, k, v = (torch.randn(1, 4, T, 64, device='cuda') for _ in range(3))
    t = med(lambda: torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True))
    print(f'torch attention causal T={T} h=4 d=64: {t*1e3:.3f} ms')
PY
