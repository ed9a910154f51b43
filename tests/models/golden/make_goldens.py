#!/usr/bin/python3
"""Goldens for test_models: the reference models of ../shared/anchor_models.py (PyTorch 1.13, CPU) at
small sizes, their inputs, parameters, loss and every parameter gradient, as .npy files.
Run from anywhere: /usr/bin/python3 tests/models/golden/make_goldens.py  (writes next to itself)."""
import os, sys
import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', '..', '..', 'shared'))
import anchor_models as a  # noqa: E402

torch.manual_seed(0)
OUT = os.path.join(HERE, 'data')
os.makedirs(OUT, exist_ok=True)


def save(prefix, model, inputs, loss):
    model.zero_grad()
    loss.backward()
    for k, v in inputs.items():
        np.save(os.path.join(OUT, f'{prefix}_in_{k}.npy'), v)
    for name, p in model.named_parameters():
        np.save(os.path.join(OUT, f'{prefix}_param_{name}.npy'), p.detach().numpy().astype(np.float32))
        g = torch.zeros_like(p) if p.grad is None else p.grad  # unused (last residual conv): zero
        np.save(os.path.join(OUT, f'{prefix}_grad_{name}.npy'), g.numpy().astype(np.float32))
    np.save(os.path.join(OUT, f'{prefix}_loss.npy'), np.array([loss.item()], dtype=np.float64))


# step_vae: bins 16, z 5, batch 4, explicit noise eps, gamma 100, C = 2
vae = a.StepVae(bins=16, z=5)
x = torch.randn(4, 1, 16)
eps = torch.randn(4, 5)
h = vae.enc(x).flatten(1)
mu, lv = vae.mu(h), vae.lv(h)
z = mu + eps * (0.5 * lv).exp()
y = vae.dec(vae.fc(z).view(-1, 128, 2))
rec = F.mse_loss(y, x, reduction='sum') / 4
kl = (-0.5 * (1 + lv - mu.pow(2) - lv.exp()).sum(1)).mean()
save('step_vae', vae, {'x': x.numpy(), 'eps': eps.numpy()}, rec + 100.0 * (kl - 2.0).abs())

# naive_seq2seq: GRU hidden 4, batch 3 x 12 samples
gru = a.GruSeq2Seq(h=4)
x = torch.randn(3, 12, 1) * 0.5
save('naive_seq2seq', gru, {'x': x[:, :, 0].numpy()}, gru(x))

# seq2seq_mel: LSTM hidden 5 over 6 bins, batch 2 x 7 frames
lstm = a.LstmSeq2Seq(bins=6, h=5)
x = torch.randn(2, 7, 6)
save('seq2seq_mel', lstm, {'x': x.numpy()}, lstm(x))
print('written to', OUT)

# supervised_cnn: 4 genres on 16 x 16 chunks, batch 3 (training mode: batch statistics)
cnn = a.Cnn(genres=4)
cnn.train()
x = torch.randn(3, 1, 16, 16)
y = torch.tensor([0, 3, 1])
save('supervised_cnn', cnn, {'x': x.numpy(), 'y': y.numpy().astype(np.int64)}, cnn(x, y))
for name, b in cnn.named_buffers():
    if b.dtype == torch.float32:
        np.save(os.path.join(OUT, f'supervised_cnn_buffer_{name}.npy'), b.numpy())

# wavenet: residual 4, skip 6, 16 classes, 3 mel bins, 4 layers (dilations 1, 2, 4, 8), batch 2 x 512 samples
wn = a.WaveNet(res=4, skip=6, classes=16, mels=3, layers=4)
q = torch.randint(0, 16, (2, 513))
mel = torch.randn(2, 3, 2)
save('wavenet', wn, {'q': q.numpy().astype(np.int64), 'mel': mel.numpy()}, wn(q, mel))
