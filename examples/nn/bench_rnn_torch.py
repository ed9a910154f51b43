#!/usr/bin/python3
"""PyTorch side of build/examples/bench_rnn: forward + backward of torch.nn.GRU / LSTM (batch_first,
zero initial state, gradient w.r.t. the weights only) at the anchor shapes. Prints one line
`seconds <median seconds per iteration> <iterations>`.
    /usr/bin/python3 examples/nn/bench_rnn_torch.py --case gru|lstm [--seconds S] [--threads N]"""
import argparse
import statistics
import time

import torch

CASES = {  # name: (batch, time, input, hidden)
    "gru": (32, 2048, 1, 32),
    "lstm": (16, 128, 128, 512),
}

p = argparse.ArgumentParser()
p.add_argument("--case", choices=CASES, required=True)
p.add_argument("--seconds", type=float, default=3.0)
p.add_argument("--threads", type=int, default=2)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)
B, T, I, H = CASES[a.case]
m = (torch.nn.GRU if a.case == "gru" else torch.nn.LSTM)(I, H, batch_first=True)
x = torch.randn(B, T, I)
dy = torch.randn(B, T, H)


def step():
    for q in m.parameters():
        q.grad = None
    y, _ = m(x)
    y.backward(dy)


step()  # warm-up
times = []
start = time.perf_counter()
while time.perf_counter() - start < a.seconds or len(times) < 3:
    t0 = time.perf_counter()
    step()
    times.append(time.perf_counter() - t0)
print("seconds", statistics.median(times), len(times), flush=True)
