#!/usr/bin/python3
"""PyTorch side of `bench_models --gemm-replay`: the same product shapes through torch.matmul (MKL in
PyTorch 2 from PyPI, OpenBLAS in Debian's 1.13) on one thread, warm, best of --reps.

Reads lines "ta tb m n k beta_is_zero calls" on stdin (op(A) is m x k, op(B) k x n; ta/tb 1 when that
operand is stored transposed) and prints, per line, the seconds of `calls` such products.
  VENV/bin/python examples/models/gemm_replay_torch.py [--reps R (20)] < shapes
"""
import argparse
import sys
import time

import torch


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=20)
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    # What one call costs apart from the product (Python, dispatch): a 1 x 1 x 1 product, reported so
    # that readers can weigh the small shapes; not subtracted.
    one = torch.ones(1, 1)
    res = torch.empty(1, 1)
    overhead = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(1000):
            torch.matmul(one, one, out=res)
        overhead = min(overhead, (time.perf_counter() - t0) / 1000)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread, {overhead * 1e6:.1f} us per call apart from the product",
          flush=True)
    with torch.no_grad():
        for line in sys.stdin:
            parts = line.split()
            if len(parts) != 7:
                continue
            ta, tb, m, n, k, beta_zero, calls = (int(p) for p in parts)
            a = torch.rand(k, m).t() if ta else torch.rand(m, k)
            b = torch.rand(n, k).t() if tb else torch.rand(k, n)
            c = torch.rand(m, n)
            if beta_zero:
                def run():
                    torch.matmul(a, b, out=c)
            else:
                def run():
                    c.addmm_(a, b)
            run()
            best = float("inf")
            for _ in range(args.reps):
                t0 = time.perf_counter()
                run()
                best = min(best, time.perf_counter() - t0)
            print(f"{best * calls:.9f}", flush=True)


if __name__ == "__main__":
    main()
