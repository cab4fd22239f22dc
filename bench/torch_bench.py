"""Baseline: PyTorch CPU. Measures ONE configuration and prints ONE JSON line on stdout.

  python3 bench/torch_bench.py --variant dense|sparse|csr --neurons N --k K --batch B --steps T
                               [--reps R] [--threads P]

dense:  W_rec = dense N×N parameter * constant 0/1 mask, autograd.
sparse: W_rec values (nnz) in CSR; a hand-written autograd Function computes W@h with a
        sparse CSR matmul, and in backward dL/dvalues at the pattern (a chunked gather in
        Python) and W^T @ grad.
csr:    the strongest CPU variant we know how to write: the state kept as [N, B] so that no
        step transposes, W@h and W^T@g as CSR × dense products (MKL on x86-64 wheels), and
        dL/dvalues by torch.sparse.sampled_addmm on the CSR pattern.
--threads P calls torch.set_num_threads(P) (default: PyTorch's own choice).
If torch cannot be imported, prints a "skipped" line. See bench/README.md.
"""
import argparse
import json
import math
import resource
import statistics
import sys
import time
import warnings

D, O, LR = 8, 10, 0.002
NAMES = {
    "dense": "pytorch dense×mask",
    "sparse": "pytorch sparse (custom autograd)",
    "csr": "pytorch CSR + sampled_addmm",
}


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KB


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--variant", choices=list(NAMES), default="dense")
    ap.add_argument("--neurons", type=int, default=1000)
    ap.add_argument("--k", type=int, default=100)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--threads", type=int, default=0)
    a = ap.parse_args()
    N, K, B, T = a.neurons, a.k, a.batch, a.steps
    out = {"implementation": NAMES[a.variant], "neurons": N, "k": K, "batch": B, "steps": T, "threads": a.threads}
    try:
        import torch
    except Exception:  # noqa: BLE001 - any import failure means "not available here"
        out.update(status="skipped", error="torch not installed", peak_rss_mb=peak_rss_mb())
        print(json.dumps(out, ensure_ascii=False), flush=True)
        return
    # PyTorch warns that CSR support is beta and that invariant checks are off: not our concern.
    warnings.filterwarnings("ignore", message="Sparse")
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    out["threads"] = torch.get_num_threads()
    try:
        out.update(run(torch, a.variant, N, K, B, T, a.reps))
    except Exception as e:  # noqa: BLE001 - report any failure (OOM, backend error) as a line
        msg = (str(e).strip().splitlines() or [type(e).__name__])[0]
        out.update(status="failed", error=f"{type(e).__name__}: {msg}")
    out["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(out, ensure_ascii=False), flush=True)


def run(torch, variant, N, K, B, T, reps):
    torch.manual_seed(1)
    g = torch.Generator().manual_seed(1)

    class SparseMatmul(torch.autograd.Function):
        """y[b, i] = sum_j W[i, j] h[b, j] with W in CSR (crow, col, values); h is [B, N]."""

        @staticmethod
        def forward(ctx, values, h, crow, col, rows, crowT, colT, permT):
            W = torch.sparse_csr_tensor(crow, col, values, (N, N))
            ctx.save_for_backward(values, h, rows, col, crowT, colT, permT)
            return torch.sparse.mm(W, h.t().contiguous()).t()

        @staticmethod
        def backward(ctx, gy):
            values, h, rows, col, crowT, colT, permT = ctx.saved_tensors
            gy = gy.contiguous()
            # dL/dh = gy @ W, i.e. (W^T @ gy^T)^T with W^T as its own CSR (values permuted)
            WT = torch.sparse_csr_tensor(crowT, colT, values[permT], (N, N))
            gh = torch.sparse.mm(WT, gy.t().contiguous()).t()
            # dL/dW[i, j] at the pattern = sum_b gy[b, i] h[b, j]; chunked to bound memory
            gv = torch.empty_like(values)
            chunk = max(1, (1 << 24) // max(1, gy.shape[0]))
            for s in range(0, values.numel(), chunk):
                r, c = rows[s : s + chunk], col[s : s + chunk]
                gv[s : s + chunk] = (gy[:, r] * h[:, c]).sum(0)
            return gv, gh, None, None, None, None, None, None

    t0 = time.perf_counter()
    # Erdős–Rényi pattern: (i, j), i != j, with probability K/N; row i = target neuron.
    # Drawn in blocks of rows so the sparse variant never holds an N×N array.
    rows_l, cols_l = [], []
    step = max(1, (1 << 24) // N)
    for s in range(0, N, step):
        e = min(N, s + step)
        m = torch.rand(e - s, N, generator=g) < (K / N)
        m[torch.arange(e - s), torch.arange(s, e)] = False
        r, c = m.nonzero(as_tuple=True)  # row-major order = CSR order
        rows_l.append(r + s)
        cols_l.append(c)
    rows, col = torch.cat(rows_l).contiguous(), torch.cat(cols_l).contiguous()
    del rows_l, cols_l, m
    nnz = rows.numel()
    W_in = torch.nn.Parameter(torch.randn(N, D, generator=g) / math.sqrt(D))
    bias = torch.nn.Parameter(torch.zeros(N))
    W_out = torch.nn.Parameter(torch.randn(O, N, generator=g) / math.sqrt(N))
    b_out = torch.nn.Parameter(torch.zeros(O))
    if variant == "dense":
        maskf = torch.zeros(N, N)
        maskf[rows, col] = 1.0
        del rows, col
        W = torch.nn.Parameter(torch.randn(N, N, generator=g) / math.sqrt(K) * maskf)
        params = [W, W_in, bias, W_out, b_out]

        def rec(h):
            return h @ (W * maskf).t()
    else:
        crow = torch.zeros(N + 1, dtype=torch.int64)
        crow[1:] = torch.cumsum(torch.bincount(rows, minlength=N), 0)
        permT = torch.argsort(col * N + rows)  # CSR order of W^T
        crowT = torch.zeros(N + 1, dtype=torch.int64)
        crowT[1:] = torch.cumsum(torch.bincount(col, minlength=N), 0)
        colT = rows[permT].contiguous()
        values = torch.nn.Parameter(torch.randn(nnz, generator=g) / math.sqrt(K))
        params = [values, W_in, bias, W_out, b_out]
        if variant == "sparse":

            def rec(h):
                return SparseMatmul.apply(values, h, crow, col, rows, crowT, colT, permT)

        else:
            zeros = torch.zeros(nnz)

            class CsrMatmul(torch.autograd.Function):
                """W @ h for h of shape [N, B]; backward: W^T @ g and sampled_addmm at the pattern."""

                @staticmethod
                def forward(ctx, values, h):
                    ctx.save_for_backward(values, h)
                    return torch.sparse_csr_tensor(crow, col, values, (N, N)) @ h

                @staticmethod
                def backward(ctx, gy):
                    values, h = ctx.saved_tensors
                    gy = gy.contiguous()
                    gh = None
                    if ctx.needs_input_grad[1]:
                        WT = torch.sparse_csr_tensor(crowT, colT, values[permT], (N, N))
                        gh = WT @ gy
                    pattern = torch.sparse_csr_tensor(crow, col, zeros, (N, N))
                    gv = torch.sparse.sampled_addmm(pattern, gy, h.t(), beta=0.0).values()
                    return gv, gh

            def rec(h):
                return CsrMatmul.apply(values, h)

    x = ((torch.arange(B * T * D, dtype=torch.int64) * 7919) % 1000).float() / 1000 - 0.5
    x = x.reshape(B, T, D)
    labels = torch.arange(B) % O
    build_ms = (time.perf_counter() - t0) * 1000
    log(f"built {variant}: nnz={nnz} in {build_ms:.1f} ms, threads={torch.get_num_threads()}")

    if variant == "csr":
        xT = x.permute(1, 2, 0).contiguous()  # [T, D, B]: each step's inputs as columns

        def logits():
            h = torch.zeros(N, B)
            for t in range(T):
                h = torch.tanh(rec(h) + torch.addmm(bias[:, None], W_in, xT[t]))
            return (W_out @ h).t() + b_out

    else:

        def logits():
            h = torch.zeros(B, N)
            for t in range(T):
                h = torch.tanh(rec(h) + x[:, t] @ W_in.t() + bias)
            return h @ W_out.t() + b_out

    opt = torch.optim.Adam(params, lr=LR)

    def train_step():
        opt.zero_grad(set_to_none=True)
        loss = torch.nn.functional.cross_entropy(logits(), labels)  # mean over the batch
        loss.backward()
        opt.step()
        return loss.item()

    def forward():
        with torch.no_grad():
            logits().sum().item()

    train_step()  # warm-up
    train = []
    for r in range(reps):
        t0 = time.perf_counter()
        loss = train_step()
        train.append((time.perf_counter() - t0) * 1000)
        log(f"train {r}: {train[-1]:.1f} ms, loss {loss:.4f}")
    forward()  # warm-up
    fwd = []
    for _ in range(reps):
        t0 = time.perf_counter()
        forward()
        fwd.append((time.perf_counter() - t0) * 1000 / T)
    store = {
        "dense": "dense N×N float32 × mask",
        "sparse": "CSR float32, torch.sparse.mm, gathered weight gradient",
        "csr": "CSR float32 × dense [N, B], sampled_addmm weight gradient",
    }[variant]
    return {
        "status": "ok",
        "build_ms": build_ms,
        "train_step_ms": statistics.median(train),
        "forward_step_ms": statistics.median(fwd),
        "notes": f"torch {torch.__version__} CPU, {store}, nnz={nnz}, Adam(lr={LR})",
    }


if __name__ == "__main__":
    main()
