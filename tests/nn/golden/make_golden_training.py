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

# ---- cross-entropy, KL, capacity loss ----------------------------------------------------------
torch.manual_seed(4)
F = torch.nn.functional
ce2 = (torch.randn(5, 7) * 3).requires_grad_(True)
ce2_t = torch.tensor([3, 0, 6, -100, 2])
ce3 = (torch.randn(2, 4, 3) * 3).requires_grad_(True)
ce3_t = torch.tensor([[0, 3, 1], [2, 2, -100]])
save("ce2_input", ce2)
save("ce2_target", ce2_t)
save("ce3_input", ce3)
save("ce3_target", ce3_t)
for red in ("mean", "sum"):
    for name, x, t in (("ce2", ce2, ce2_t), ("ce3", ce3, ce3_t)):
        x.grad = None
        l = F.cross_entropy(x, t, reduction=red)
        l.backward()
        save(name + "_" + red, torch.stack([l.detach(), torch.tensor(0.0)]))
        save(name + "_grad_" + red, x.grad)

mu = torch.randn(3, 4).requires_grad_(True)
logvar = (torch.randn(3, 4) * 0.5).requires_grad_(True)
save("kl_mu", mu)
save("kl_logvar", logvar)
kl = (-0.5 * (1 + logvar - mu ** 2 - logvar.exp()).sum(dim=1)).mean()
kl.backward()
save("kl_value", torch.stack([kl.detach(), torch.tensor(0.0)]))
save("kl_grad_mu", mu.grad)
save("kl_grad_logvar", logvar.grad)

rec = torch.randn(3, 6).requires_grad_(True)
tgt = torch.randn(3, 6)
save("cap_recon", rec)
save("cap_target", tgt)
C_MAX, NUM_STEPS, GAMMA = 5.0, 100, 100.0
for step in (30, 400):  # KL above C(30) = 1.5; below C(400) = 5
    for t in (rec, mu, logvar):
        t.grad = None
    recon = ((rec - tgt) ** 2).sum(dim=1).mean()
    kl = (-0.5 * (1 + logvar - mu ** 2 - logvar.exp()).sum(dim=1)).mean()
    cap = C_MAX * min(1.0, step / NUM_STEPS)
    total = recon + GAMMA * (kl - cap).abs()
    total.backward()
    tag = "cap%d_" % step
    save(tag + "parts", torch.stack([total.detach(), recon.detach(), kl.detach(), torch.tensor(cap)]))
    save(tag + "grad_recon", rec.grad)
    save(tag + "grad_mu", mu.grad)
    save(tag + "grad_logvar", logvar.grad)


# ---- mu-law (torchaudio's formulas, float32 as torchaudio computes in the input's dtype) ----------
def mu_law_encoding(x, qc=256):
    mu = torch.tensor(qc - 1.0, dtype=x.dtype)
    x_mu = torch.sign(x) * torch.log1p(mu * torch.abs(x)) / torch.log1p(mu)
    return ((x_mu + 1) / 2 * mu + 0.5).to(torch.int64)


def mu_law_decoding(x_mu, qc=256):
    mu = torch.tensor(qc - 1.0, dtype=torch.float32)
    x = (x_mu.to(torch.float32) / mu) * 2 - 1.0
    return torch.sign(x) * (torch.exp(torch.abs(x) * torch.log1p(mu)) - 1.0) / mu


wave = torch.linspace(-1, 1, 2001, dtype=torch.float32)
np.save(os.path.join(OUT, "train_mulaw_wave_f32.npy"), wave.numpy())
save("mulaw_codes", mu_law_encoding(wave))
save("mulaw_decoded", mu_law_decoding(torch.arange(256)))

# ---- learning-rate schedules (lr after e scheduler steps, e = 0..N-1) ------------------------------
def lr_sequence(make_sched, base_lr, n=25):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=base_lr)
    sch = make_sched(opt)
    out = []
    for _ in range(n):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sch.step()
    return torch.tensor(out)


S = torch.optim.lr_scheduler
save("sched_step", lr_sequence(lambda o: S.StepLR(o, step_size=4, gamma=0.5), 0.1))
save("sched_cosine", lr_sequence(lambda o: S.CosineAnnealingLR(o, T_max=20, eta_min=0.001), 0.1))
save("sched_warmup", lr_sequence(lambda o: S.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=8), 0.1))
save("sched_noam", lr_sequence(lambda o: S.LambdaLR(o, lambda e: 512 ** -0.5 * min((e + 1) ** -0.5, (e + 1) * 6 ** -1.5)), 2.0))

# ---- clip_grad_norm_ ------------------------------------------------------------------------------
torch.manual_seed(5)
g1, g2 = torch.randn(3, 4), torch.randn(5)
save("clip_g1", g1)
save("clip_g2", g2)
for max_norm in (1.0, 100.0):
    p1, p2 = torch.nn.Parameter(torch.zeros(3, 4)), torch.nn.Parameter(torch.zeros(5))
    p1.grad, p2.grad = g1.clone(), g2.clone()
    total = torch.nn.utils.clip_grad_norm_([p1, p2], max_norm)
    save("clip_%g" % max_norm, torch.cat([total.reshape(1), p1.grad.flatten(), p2.grad.flatten()]))


# ---- Adam in float32 (the element type models train in) ---------------------------------------------
w = w0.clone().float().requires_grad_(True)
b = b0.clone().float().requires_grad_(True)
opt = torch.optim.Adam([w, b], lr=0.05, weight_decay=0.1, amsgrad=True)
traj = []
for _ in range(STEPS):
    opt.zero_grad()
    ((qx.float() @ w + b - qt.float()) ** 2).sum().backward()
    opt.step()
    traj.append(torch.cat([w.detach().flatten(), b.detach().flatten()]))
np.save(os.path.join(OUT, "train_optim_adam_amsgrad_f32.npy"), torch.stack(traj).numpy())
print("wrote", len([f for f in os.listdir(OUT) if f.startswith("train_")]), "files")
