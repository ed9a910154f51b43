#!/usr/bin/env python3
"""librosa.feature.inverse.mel_to_audio on the same clips as build/examples/mel_inversion (the same
mel settings: librosa's defaults, n_fft 2048, hop 512, 128 bands; 32 Griffin-Lim iterations), with the
same measure: spectral convergence || S - |STFT(y)| ||_F / || S ||_F against the clip's own STFT
magnitude. A benchmark and reference only (needs librosa, e.g. the ../shared/bench venv); cantus and
its tests never need it.
  mel_inversion_librosa.py FILE... [--seconds 10] [--n-iter 32]
"""
import argparse, os, time

import librosa
import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('files', nargs='+')
    ap.add_argument('--seconds', type=float, default=10.0)
    ap.add_argument('--n-iter', type=int, default=32)
    a = ap.parse_args()
    print('| file | seconds | spectral convergence | time (s) |\n|---|---|---|---|')
    for f in a.files:
        y, sr = librosa.load(f, sr=22050, mono=True, duration=a.seconds)
        S = np.abs(librosa.stft(y))
        M = librosa.feature.melspectrogram(y=y, sr=sr)
        t0 = time.perf_counter()
        z = librosa.feature.inverse.mel_to_audio(M, sr=sr, n_iter=a.n_iter, length=len(y))
        dt = time.perf_counter() - t0
        sc = np.linalg.norm(S - np.abs(librosa.stft(z))) / np.linalg.norm(S)
        print(f'| {os.path.basename(f)} | {len(y) / sr:.1f} | {sc:.4f} | {dt:.2f} |', flush=True)


if __name__ == '__main__':
    main()
