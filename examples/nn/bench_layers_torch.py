#!/usr/bin/python3
"""PyTorch side of build/examples/bench_layers: forward + backward of the same layers at the same
shapes, torch.set_num_threads(2). Prints one line per case: "<case> <median seconds>".
  /usr/bin/python3 examples/nn/bench_layers_torch.py [--seconds S] [--threads N] [--case NAME ...]
"""
import argparse
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

# name: (module factory, input shape); must match bench_layers.cpp
CASES = {
    "vae_enc_conv1d_1_32": (lambda: nn.Conv1d(1, 32, 4, 2, 1), (512, 1, 128)),
    "vae_enc_conv1d_32_64": (lambda: nn.Conv1d(32, 64, 4, 2, 1), (512, 32, 64)),
    "vae_enc_conv1d_64_128": (lambda: nn.Conv1d(64, 128, 4, 2, 1), (512, 64, 32)),
    "vae_dec_convT1d_128_64": (lambda: nn.ConvTranspose1d(128, 64, 4, 2, 1), (512, 128, 16)),
    "vae_dec_convT1d_64_32": (lambda: nn.ConvTranspose1d(64, 32, 4, 2, 1), (512, 64, 32)),
    "vae_dec_convT1d_32_1": (lambda: nn.ConvTranspose1d(32, 1, 4, 2, 1), (512, 32, 64)),
    "wavenet_causal_conv1d_d512": (lambda: CausalConv(64, 128, 2, 512), (2, 64, 8192)),
    "wavenet_causal_conv1d_d1": (lambda: CausalConv(64, 128, 2, 1), (2, 64, 8192)),
    "wavenet_conv1x1_64_128": (lambda: nn.Conv1d(64, 128, 1), (2, 64, 8192)),
    "wavenet_gated_activation": (lambda: Gated(), (2, 256, 8192)),
    "wavenet_upsample_convT1d": (lambda: nn.ConvTranspose1d(128, 128, 16, 8, 4), (2, 128, 1088)),
    "cnn_batch_norm2d": (lambda: nn.BatchNorm2d(32), (32, 32, 128, 128)),
    "cnn_relu": (lambda: nn.ReLU(), (32, 32, 128, 128)),
    "cnn_max_pool2d": (lambda: nn.MaxPool2d(2), (32, 32, 128, 128)),
    "cnn_conv2d_32_64": (lambda: nn.Conv2d(32, 64, 3, padding=1), (32, 32, 64, 64)),
}


class CausalConv(nn.Module):
    def __init__(self, cin, cout, k, d):
        super().__init__()
        self.pad = (k - 1) * d
        self.conv = nn.Conv1d(cin, cout, k, dilation=d)

    def forward(self, x):
        return self.conv(F.pad(x, (self.pad, 0)))


class Gated(nn.Module):
    def forward(self, x):
        a, b = torch.chunk(x, 2, dim=1)
        return torch.tanh(a) * torch.sigmoid(b)


def median_seconds(name, seconds, clock):
    factory, shape = CASES[name]
    torch.manual_seed(0)
    m = factory()
    x = torch.randn(*shape, requires_grad=True)
    dy = torch.randn_like(m(x))

    def step():
        x.grad = None
        m.zero_grad(set_to_none=False)
        m(x).backward(dy)

    step()
    times = []
    start = time.perf_counter()
    while time.perf_counter() - start < seconds or len(times) < 3:
        t0 = clock()
        step()
        times.append(clock() - t0)
    times.sort()
    return times[len(times) // 2]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=1.0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--case", nargs="*", default=list(CASES))
    ap.add_argument("--cpu-time", action="store_true", help="process CPU time instead of wall-clock time")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    for name in a.case:
        print(name, median_seconds(name, a.seconds, time.process_time if a.cpu_time else time.perf_counter), flush=True)


if __name__ == "__main__":
    main()
