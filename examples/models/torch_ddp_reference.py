#!/usr/bin/env python3
"""PyTorch DistributedDataParallel (gloo, CPU) as bench_data_parallel's reference: the five models of
the reference script (../shared/bench/torch2_anchor.py by default, or --anchor PATH) at its shapes,
each rank training its shard of the same global batch, one thread per rank. Prints one line per
model and world size with the job's items/s ('NAME<TAB>world=N<TAB>items/s=...'). A benchmark tool
only, never a dependency of cantus or its tests; run it in the ../shared/bench virtual environment.
  torch_ddp_reference.py [--models a,b] [--worlds 1,2] [--steps 8] [--threads 1] [--anchor PATH]
"""
import argparse, importlib.util, os, time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.nn.parallel import DistributedDataParallel as DDP


def load_anchor(path):
    spec = importlib.util.spec_from_file_location('anchor', path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def shard(t, rank, world):
    n = t.shape[0]
    q, extra = divmod(n, world)
    begin = rank * q + min(rank, extra)
    return t[begin:begin + q + (1 if rank < extra else 0)]


def worker(rank, world, a, port, out):
    os.environ['MASTER_ADDR'], os.environ['MASTER_PORT'] = '127.0.0.1', str(port)
    dist.init_process_group('gloo', rank=rank, world_size=world)
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    anchor = load_anchor(a.anchor)
    for name in a.models.split(','):
        cls, make, items = anchor.cases()[name]
        # WaveNet's last residual projection feeds nothing (the reference model's shape): DDP must be told.
        model = DDP(cls(), find_unused_parameters=(name == 'wavenet'))
        opt = torch.optim.Adam(model.parameters(), 1e-3)
        batch = tuple(shard(t, rank, world) for t in make())
        opt.zero_grad(); model(*batch).backward(); opt.step()  # warm-up
        dist.barrier()
        t0 = time.perf_counter()
        for _ in range(a.steps):
            opt.zero_grad(); loss = model(*batch); loss.backward(); opt.step()
        dt = torch.tensor([time.perf_counter() - t0])
        dist.all_reduce(dt, op=dist.ReduceOp.MAX)
        if rank == 0:
            out.put(f'{name}\tworld={world}\tthreads={a.threads}\tms/step={1e3 * dt.item() / a.steps:.1f}'
                    f'\titems/s={items * a.steps / dt.item():.1f}')
    dist.destroy_process_group()


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument('--models', default='gru_seq2seq,step_vae,lstm_seq2seq,wavenet,cnn')
    ap.add_argument('--worlds', default='1,2')
    ap.add_argument('--steps', type=int, default=8)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--anchor', default=os.path.join(here, '..', '..', '..', 'shared', 'bench', 'torch2_anchor.py'))
    a = ap.parse_args()
    ctx = mp.get_context('spawn')
    for i, world in enumerate(int(w) for w in a.worlds.split(',')):
        q = ctx.Queue()
        mp.spawn(worker, args=(world, a, 29500 + i, q), nprocs=world, join=True)
        while not q.empty():
            print(q.get(), flush=True)


if __name__ == '__main__':
    main()
