#!/usr/bin/python3
"""Golden files for test_nn_training (run once with Debian's /usr/bin/python3 and torch 1.13):
    /usr/bin/python3 tests/nn/golden/make_golden_training.py
Writes tests/nn/golden/data/train_*.npy. Everything is float64 so the C++ side can compare in
double tightly and in float to 1e-5."""
import math
import os

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
os.makedirs(OUT, exist_ok=True)
torch.set_default_dtype(torch.float64)


def save(name, t):
    a = t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
    if a.dtype.kind == "f":
        a = a.astype(np.float64)
    np.save(os.path.join(OUT, "train_" + name + ".npy"), np.ascontiguousarray(a))


def rnn_case(kind, B=2, T=5, I=3, H=4, seed=1):
    torch.manual_seed(seed)
    cls = torch.nn.GRU if kind == "gru" else torch.nn.LSTM
    m = cls(I, H, batch_first=True)
    x = torch.randn(B, T, I, requires_grad=True)
    h0 = torch.randn(1, B, H, requires_grad=True)
    wy = torch.randn(B, T, H)
    wh = torch.randn(1, B, H)
    if kind == "gru":
        y, hn = m(x, h0)
        loss = (y * wy).sum() + (hn * wh).sum()
        states = [("h0", h0)]
        finals = [("hn", hn)]
    else:
        c0 = torch.randn(1, B, H, requires_grad=True)
        wc = torch.randn(1, B, H)
        y, (hn, cn) = m(x, (h0, c0))
        loss = (y * wy).sum() + (hn * wh).sum() + (cn * wc).sum()
        states = [("h0", h0), ("c0", c0)]
        finals = [("hn", hn), ("cn", cn)]
        save(kind + "_wc", wc[0])
    loss.backward()
    save(kind + "_x", x)
    save(kind + "_wy", wy)
    save(kind + "_wh", wh[0])
    save(kind + "_y", y)
    save(kind + "_dx", x.grad)
    for n, s in states:
        save(kind + "_" + n, s[0])
        save(kind + "_d" + n, s.grad[0])
    for n, f in finals:
        save(kind + "_" + n, f[0])
    for n, p in m.named_parameters():
        save(kind + "_" + n, p)
        save(kind + "_grad_" + n, p.grad)


rnn_case("gru")
rnn_case("lstm")

# ---- losses -------------------------------------------------------------------------------------
torch.manual_seed(2)
a = torch.randn(3, 7, requires_grad=True)
b = torch.randn(3, 7)
for red in ("mean", "sum"):
    a.grad = None
    l = torch.nn.functional.mse_loss(a, b, reduction=red)
    l.backward()
    save("mse_" + red, torch.stack([l.detach(), torch.tensor(0.0)]))
    save("mse_grad_" + red, a.grad)
save("mse_input", a)
save("mse_target", b)
print("wrote", len([f for f in os.listdir(OUT) if f.startswith("train_")]), "files")

# ---- optimizers on a fixed quadratic: loss = sum((x @ w + b - t)^2) ----------------------------
torch.manual_seed(3)
qx = torch.randn(6, 3)
qt = torch.randn(6, 4)
w0 = torch.randn(3, 4)
b0 = torch.randn(4)
save("quad_x", qx)
save("quad_t", qt)
save("quad_w0", w0)
save("quad_b0", b0)
OPTIMIZERS = {
    "sgd_nesterov": lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
    "sgd_dampened": lambda ps: torch.optim.SGD(ps, lr=0.03, momentum=0.8, dampening=0.3),
    "adam": lambda ps: torch.optim.Adam(ps, lr=0.05, weight_decay=0.1),
    "adamw_amsgrad": lambda ps: torch.optim.AdamW(ps, lr=0.05, weight_decay=0.05, amsgrad=True),
}
STEPS = 6
for name, make in OPTIMIZERS.items():
    w = w0.clone().requires_grad_(True)
    b = b0.clone().requires_grad_(True)
    opt = make([w, b])
    traj = []
    for _ in range(STEPS):
        opt.zero_grad()
        ((qx @ w + b - qt) ** 2).sum().backward()
        opt.step()
        traj.append(torch.cat([w.detach().flatten(), b.detach().flatten()]))
    save("optim_" + name, torch.stack(traj))
