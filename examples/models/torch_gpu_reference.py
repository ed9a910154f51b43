#!/usr/bin/env python3
"""PyTorch on the GPU as bench_models' reference for --backend cuda: the five models of the reference
script (../shared/bench/torch2_anchor.py by default, or --anchor PATH) at the same shapes, moved to the
device, timed with torch.cuda.synchronize() after each step. Prints the reference script's line format
('NAME<TAB>steps/s=...'). Needs a PyTorch with CUDA (the ../shared/bench venv has one); a benchmark
tool only, never a dependency of cantus or its tests.
  torch_gpu_reference.py --models a,b [--seconds S] [--threads N] [--device cuda] [--anchor PATH]
"""
import argparse, importlib.util, os, time

import torch


def load_anchor(path):
    spec = importlib.util.spec_from_file_location('anchor', path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument('--models', required=True)
    ap.add_argument('--seconds', type=float, default=6.0)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--device', default='cuda')
    ap.add_argument('--warmup', type=int, default=3)
    ap.add_argument('--anchor', default=os.path.join(here, '..', '..', '..', 'shared', 'bench', 'torch2_anchor.py'))
    a = ap.parse_args()
    if a.device.startswith('cuda') and not torch.cuda.is_available():
        raise SystemExit('torch_gpu_reference: this PyTorch sees no CUDA device')
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    anchor = load_anchor(a.anchor)
    dev = torch.device(a.device)
    sync = torch.cuda.synchronize if dev.type == 'cuda' else (lambda: None)
    for name in a.models.split(','):
        cls, make, items = anchor.cases()[name]
        model = cls().to(dev)
        opt = torch.optim.Adam(model.parameters(), 1e-3)
        batch = tuple(t.to(dev) for t in make())
        for _ in range(a.warmup):
            opt.zero_grad(); loss = model(*batch); loss.backward(); opt.step()
        sync()
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < a.seconds:
            opt.zero_grad(); loss = model(*batch); loss.backward(); opt.step(); n += 1
            sync()
        dt = time.perf_counter() - t0
        print(f'{name}\tsteps/s={n / dt:.3f}\titems/s={n * items / dt:.1f}\tloss={loss.item():.4f}\tdevice={dev}', flush=True)


if __name__ == '__main__':
    main()
