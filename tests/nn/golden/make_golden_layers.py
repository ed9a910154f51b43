#!/usr/bin/python3
"""PyTorch golden cases for cantus' layers (tests/nn/layers/golden_test.cpp).

Run once with Debian's PyTorch: /usr/bin/python3 tests/nn/golden/make_golden_layers.py
For each case it writes, in float32, to tests/nn/golden/data/layers_<case>_*.npy:
  x (input), dy (upstream gradient), y (output), dx (input gradient),
  <param> and <param>_grad for every entry of the module's state_dict that is a parameter,
  <buffer> for buffers (BatchNorm running statistics after the forward).
Loss = sum(y * dy), so the gradients are y.backward(dy). Seeded: the files are reproducible.
"""
import os
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(1234)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
os.makedirs(OUT, exist_ok=True)


def save(case, name, t):
    np.save(os.path.join(OUT, f"layers_{case}_{name}.npy"), t.detach().cpu().numpy().astype(np.float32))


class Fn(nn.Module):
    """A parameter-free function as a module."""
    def __init__(self, f):
        super().__init__()
        self.f = f

    def forward(self, x):
        return self.f(x)


def run(case, module, x, train=True, input_grad=True):
    module.train(train)
    x = x.clone().float().requires_grad_(input_grad)
    y = module(x)
    dy = torch.randn_like(y)
    y.backward(dy)
    save(case, "x", x)
    save(case, "dy", dy)
    save(case, "y", y)
    if input_grad:
        save(case, "dx", x.grad)
    for name, p in module.named_parameters():
        save(case, name, p)
        save(case, name + "_grad", p.grad)
    for name, b in module.named_buffers():
        if b.dtype.is_floating_point:
            save(case, name, b)


def randn(*s):
    return torch.randn(*s)


run("linear", nn.Linear(6, 3), randn(4, 6))
run("linear3d", nn.Linear(6, 3), randn(2, 3, 6))
run("conv1d_s2p1", nn.Conv1d(2, 3, 4, stride=2, padding=1), randn(2, 2, 12))
run("conv1d_dilated", nn.Conv1d(3, 2, 3, padding=2, dilation=2), randn(2, 3, 9))
run("conv1d_pointwise", nn.Conv1d(3, 4, 1), randn(2, 3, 7))


class Causal(nn.Module):
    """WaveNet's dilated causal conv: left-pad (k - 1) * d, then a plain conv."""
    def __init__(self, cin, cout, k, d):
        super().__init__()
        self.pad = (k - 1) * d
        self.conv = nn.Conv1d(cin, cout, k, dilation=d)

    def forward(self, x):
        return self.conv(F.pad(x, (self.pad, 0)))


causal = Causal(2, 4, 2, 3)
# state_dict names without the wrapper prefix
run("causal_conv1d", causal, randn(2, 2, 11))
run("conv_transpose1d_s2p1", nn.ConvTranspose1d(3, 2, 4, stride=2, padding=1), randn(2, 3, 5))
run("conv_transpose1d_op", nn.ConvTranspose1d(2, 3, 3, stride=2, padding=1, output_padding=1, dilation=2),
    randn(2, 2, 6))
run("conv2d_same", nn.Conv2d(2, 3, 3, padding=1), randn(2, 2, 6, 7))
run("conv2d_strided", nn.Conv2d(2, 3, (2, 3), stride=(2, 1), padding=(1, 0), dilation=(1, 2)), randn(2, 2, 6, 7))
run("max_pool2d", nn.MaxPool2d(2), randn(2, 3, 6, 6))
run("max_pool2d_overlap", nn.MaxPool2d(3, stride=2, padding=1), randn(2, 3, 7, 6))

bn = nn.BatchNorm2d(3)
with torch.no_grad():
    bn.weight.copy_(torch.rand(3) + 0.5)
    bn.bias.copy_(torch.randn(3))
run("batch_norm2d_train", bn, randn(4, 3, 5, 5) * 2 + 1, train=True)
bn.zero_grad()
run("batch_norm2d_eval", bn, randn(4, 3, 5, 5), train=False)
bn1 = nn.BatchNorm1d(4)
run("batch_norm1d_train", bn1, randn(3, 4, 6), train=True)

run("relu", nn.ReLU(), randn(2, 4, 5))
run("leaky_relu", nn.LeakyReLU(0.2), randn(2, 4, 5))
run("tanh", nn.Tanh(), randn(2, 4, 5))
run("sigmoid", nn.Sigmoid(), randn(2, 4, 5))


def gated(x):
    a, b = torch.chunk(x, 2, dim=1)
    return torch.tanh(a) * torch.sigmoid(b)


run("gated", Fn(gated), randn(2, 6, 5))
run("global_avg_pool", Fn(lambda x: x.mean(dim=(2, 3))), randn(2, 3, 4, 5))
run("flatten", nn.Flatten(), randn(2, 3, 4))

emb = nn.Embedding(10, 4)
idx = torch.tensor([[0, 9, 3, 3], [7, 1, 0, 5]])
y = emb(idx)
dy = torch.randn_like(y)
y.backward(dy)
save("embedding", "x", idx.float())
save("embedding", "dy", dy)
save("embedding", "y", y)
save("embedding", "weight", emb.weight)
save("embedding", "weight_grad", emb.weight.grad)

step_vae_encoder = nn.Sequential(nn.Conv1d(1, 4, 4, 2, 1), nn.ReLU(), nn.Conv1d(4, 8, 4, 2, 1), nn.ReLU(),
                                 nn.Flatten(), nn.Linear(8 * 4, 5))
run("sequential_encoder", step_vae_encoder, randn(3, 1, 16))
step_vae_decoder = nn.Sequential(nn.Linear(5, 8 * 4), nn.Unflatten(1, (8, 4)), nn.ConvTranspose1d(8, 4, 4, 2, 1),
                                 nn.ReLU(), nn.ConvTranspose1d(4, 1, 4, 2, 1))
run("sequential_decoder", step_vae_decoder, randn(3, 5))
cnn = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                    Fn(lambda x: x.mean(dim=(2, 3))), nn.Linear(4, 3))
run("sequential_cnn", cnn, randn(2, 1, 8, 8))

total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT) if f.startswith("layers_"))
print(f"wrote {len([f for f in os.listdir(OUT) if f.startswith('layers_')])} files, {total} bytes to {OUT}")
