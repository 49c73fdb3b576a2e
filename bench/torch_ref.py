#!/usr/bin/env python3
"""PyTorch timings of the bench's cases on the same card, for bench/suites/torch.ts.

Reads a JSON spec on stdin: {"device": "cuda"|"cpu", "calls": N, "max_time": s, "budget": s, "jobs": [...]}; each
job names an op and its sizes. Every case is timed two ways, as tessera's are (bench/harness.ts): latency (one
call, then synchronize) and queued (N calls, then one synchronize; the time per call), each the list of samples
in ms after warm-up. Prints one JSON object on stdout (a case that raises is listed under "failed" and the
others go on); progress goes to stderr. Exits with status 3 and a message
when torch or the device is missing, so the caller can print why the rows are skipped.
"""
import json
import sys
import time


def log(msg):
    print(f"  torch: {msg}", file=sys.stderr, flush=True)


def build(job, torch, dev):
    """Returns a function doing one call of the job's work on `dev`."""
    F = torch.nn.functional
    dtype = getattr(torch, job.get("dtype", "float32"))
    op = job["op"]
    if op == "matmul":
        n = job["n"]
        a, b = torch.randn(n, n, device=dev, dtype=dtype), torch.randn(n, n, device=dev, dtype=dtype)
        return lambda: a @ b
    if op == "add":
        a, b = torch.randn(job["n"], device=dev, dtype=dtype), torch.randn(job["n"], device=dev, dtype=dtype)
        return lambda: a + b
    if op == "softmax":
        x = torch.randn(job["rows"], job["cols"], device=dev, dtype=dtype)
        return lambda: torch.softmax(x, -1)
    if op == "sum_rows":
        x = torch.randn(job["rows"], job["cols"], device=dev, dtype=dtype)
        return lambda: x.sum(1)
    if op == "attention":
        shape = (job["B"], job["H"], job["T"], job["D"])
        q, k, v = (torch.randn(shape, device=dev, dtype=dtype, requires_grad=job["backward"]) for _ in range(3))
        w = torch.randn(shape, device=dev, dtype=dtype)
        if not job["backward"]:
            return lambda: F.scaled_dot_product_attention(q, k, v, is_causal=True)

        def fwd_bwd():
            (F.scaled_dot_product_attention(q, k, v, is_causal=True) * w).sum().backward()
            q.grad = k.grad = v.grad = None

        return fwd_bwd
    if op == "gpt":
        return gpt_step(job, torch, dev)
    raise ValueError(f"unknown op {op}")


def gpt_step(job, torch, dev):
    """One Adam step of a nanoGPT-shaped model like nn.GPT's defaults (learned positions, pre-norm blocks, GELU
    MLP, head tied to the token embeddings); returns the step, which returns the loss tensor (not read)."""
    nn, F = torch.nn, torch.nn.functional
    V, T, L, H, C, B = (job[k] for k in ("vocab", "block", "layers", "heads", "embd", "batch"))

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.norm1, self.norm2 = nn.LayerNorm(C), nn.LayerNorm(C)
            self.qkv, self.proj = nn.Linear(C, 3 * C), nn.Linear(C, C)
            self.fc, self.out = nn.Linear(C, 4 * C), nn.Linear(4 * C, C)

        def forward(self, x):
            q, k, v = self.qkv(self.norm1(x)).view(B, T, 3, H, C // H).permute(2, 0, 3, 1, 4)
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(B, T, C)
            x = x + self.proj(y)
            return x + self.out(F.gelu(self.fc(self.norm2(x))))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.wte, self.wpe = nn.Embedding(V, C), nn.Embedding(T, C)
            self.blocks = nn.ModuleList(Block() for _ in range(L))
            self.norm = nn.LayerNorm(C)

        def forward(self, idx, targets):
            x = self.wte(idx) + self.wpe(torch.arange(T, device=idx.device))
            for b in self.blocks:
                x = b(x)
            logits = self.norm(x) @ self.wte.weight.T
            return F.cross_entropy(logits.view(-1, V), targets.view(-1))

    torch.manual_seed(0)
    model = GPT().to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randint(0, V, (B, T), device=dev)
    y = torch.randint(0, V, (B, T), device=dev)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = model(x, y)
        loss.backward()
        opt.step()
        return loss

    return step


def samples(run, max_time, warmup=2, least=5, most=200):
    """Times `run` (which does its own waiting) after warm-up: at least `least` samples, then until max_time."""
    for _ in range(warmup):
        run()
    out, until = [], time.perf_counter() + max_time
    while len(out) < least or (time.perf_counter() < until and len(out) < most):
        t0 = time.perf_counter()
        run()
        out.append((time.perf_counter() - t0) * 1e3)
    return out


def main():
    spec = json.load(sys.stdin)
    try:
        import torch
    except ImportError as e:
        print(f"python3 cannot import torch ({e})", file=sys.stderr)
        sys.exit(3)
    dev = spec["device"]
    if dev == "cuda" and not torch.cuda.is_available():
        print(f"torch {torch.__version__} sees no CUDA device", file=sys.stderr)
        sys.exit(3)
    sync = torch.cuda.synchronize if dev == "cuda" else (lambda: None)
    name = torch.cuda.get_device_name() if dev == "cuda" else "cpu"
    log(f"torch {torch.__version__} on {name}")
    calls, max_time, start = spec["calls"], spec["max_time"], time.perf_counter()
    results, skipped, failed = [], [], []
    for job in spec["jobs"]:
        if time.perf_counter() - start > spec["budget"]:
            skipped.append(job["case"])
            continue
        try:
            lat, q = time_job(job, torch, dev, sync, calls, max_time)
        except Exception as e:  # one failing case costs its own rows only
            failed.append(f"{job['case']}: {type(e).__name__}: {e}")
            log(f"{job['suite']} {job['case']}: FAILED: {type(e).__name__}: {e}")
            continue
        finally:
            if dev == "cuda":
                torch.cuda.empty_cache()
        results.append({"suite": job["suite"], "case": job["case"], "latency": lat, "queued": q})
        log(f"{job['suite']} {job['case']}: latency {sorted(lat)[len(lat) // 2]:.3f} ms, queued {sorted(q)[len(q) // 2]:.3f} ms")
    print(json.dumps({"torch": torch.__version__, "device": name, "results": results, "skipped": skipped, "failed": failed}))


def time_job(job, torch, dev, sync, calls, max_time):
    """The job's latency and queued samples (ms per call)."""
    with torch.no_grad() if job["op"] not in ("gpt", "attention") else torch.enable_grad():
        fn = build(job, torch, dev)

        def one():
            fn()
            sync()

        def queued():
            for _ in range(calls):
                fn()
            sync()

        return samples(one, max_time), [t / calls for t in samples(queued, max_time)]


if __name__ == "__main__":
    main()
