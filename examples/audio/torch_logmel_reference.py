#!/usr/bin/python3
"""PyTorch reference for bench_audio: log-mel of one clip with torch.stft + mel matmul + log10.

The same computation as cantus::audio::log_mel (librosa 0.10 defaults: n_fft 2048, hop 512, periodic
Hann, center with zero padding, power 2, 128 Slaney mel bands, power_to_db(ref=1, amin=1e-10,
top_db=80)) on one thread, the way a PyTorch data pipeline would compute it.

usage: /usr/bin/python3 torch_logmel_reference.py CLIP.wav [--seconds 3]
prints:  torch_logmel cpu_ms_per_clip=<median thread CPU ms> wall_ms_per_clip=<median wall ms> clip_seconds=<s> frames=<n> max_abs_db_vs_cantus=<if --compare>
"""
import argparse
import statistics
import sys
import time
import wave

import numpy as np
import torch


def slaney_mel_filter_bank(sr, n_fft, n_mels, fmin=0.0, fmax=None):
    """librosa.filters.mel(sr, n_fft, n_mels, fmin, fmax) with htk=False, norm='slaney'."""
    fmax = sr / 2 if fmax is None else fmax
    f_sp, min_log_hz = 200.0 / 3, 1000.0
    min_log_mel, logstep = min_log_hz / f_sp, np.log(6.4) / 27.0

    def hz_to_mel(f):
        f = np.asanyarray(f, dtype=np.float64)
        return np.where(f >= min_log_hz, min_log_mel + np.log(np.maximum(f, 1e-300) / min_log_hz) / logstep, f / f_sp)

    def mel_to_hz(m):
        return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), f_sp * m)

    fftfreqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
    mel_f = mel_to_hz(np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), n_mels + 2))
    fdiff = np.diff(mel_f)
    ramps = np.subtract.outer(mel_f, fftfreqs)
    weights = np.zeros((n_mels, n_fft // 2 + 1), dtype=np.float32)
    for i in range(n_mels):
        weights[i] = np.maximum(0, np.minimum(-ramps[i] / fdiff[i], ramps[i + 2] / fdiff[i + 1]))
    weights *= (2.0 / (mel_f[2:n_mels + 2] - mel_f[:n_mels]))[:, np.newaxis]
    return weights


def read_wav_mono(path):
    with wave.open(path, "rb") as w:
        if w.getsampwidth() != 2:
            sys.exit(f"torch_logmel_reference: {path}: expected 16-bit PCM WAV")
        x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768.0
        x = x.reshape(-1, w.getnchannels()).mean(axis=1)
        return x.astype(np.float32), w.getframerate()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("clip")
    ap.add_argument("--seconds", type=float, default=3.0, help="time budget for the repetitions")
    ap.add_argument("--compare", help="a cantus log-mel .npy of the same clip to report the difference to")
    args = ap.parse_args()
    torch.set_num_threads(1)
    y_np, sr = read_wav_mono(args.clip)
    n_fft, hop = 2048, 512
    y = torch.from_numpy(y_np)
    window = torch.hann_window(n_fft, periodic=True)
    fb = torch.from_numpy(slaney_mel_filter_bank(sr, n_fft, 128))

    def log_mel():
        spec = torch.stft(y, n_fft, hop_length=hop, window=window, center=True, pad_mode="constant",
                          return_complex=True)
        power = spec.real.square() + spec.imag.square()
        mel = fb @ power
        db = 10.0 * torch.log10(torch.clamp(mel, min=1e-10))
        return torch.maximum(db, db.max() - 80.0)

    with torch.no_grad():
        for _ in range(3):
            out = log_mel()
        wall, cpu = [], []
        t_end = time.perf_counter() + args.seconds
        while time.perf_counter() < t_end or len(wall) < 5:
            t0, c0 = time.perf_counter(), time.thread_time()
            out = log_mel()
            cpu.append(time.thread_time() - c0)
            wall.append(time.perf_counter() - t0)
    line = (f"torch_logmel cpu_ms_per_clip={1e3 * statistics.median(cpu):.3f} "
            f"wall_ms_per_clip={1e3 * statistics.median(wall):.3f} clip_seconds={len(y_np) / sr:.3f} "
            f"frames={out.shape[1]} torch={torch.__version__} threads={torch.get_num_threads()}")
    if args.compare:
        ours = np.load(args.compare)
        line += f" max_abs_db_vs_cantus={np.abs(ours - out.numpy()).max():.3g}"
    print(line, flush=True)


if __name__ == "__main__":
    main()
