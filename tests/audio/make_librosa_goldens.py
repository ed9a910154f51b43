#!/usr/bin/env python3
"""Writes the small librosa references test_audio compares against (tests/audio/golden/*.npy).

Run once, from the repository root, with librosa in a throw-away virtual environment:
    python3 -m venv /tmp/venv-librosa && /tmp/venv-librosa/bin/pip install librosa
    /tmp/venv-librosa/bin/python tests/audio/make_librosa_goldens.py
The library and its tests never import librosa; these files are all they see of it (< 200 KB).
"""
import pathlib

import librosa
import numpy as np

out = pathlib.Path(__file__).resolve().parent / "golden"
out.mkdir(exist_ok=True)

# Mel filter banks: Slaney scale + Slaney norm in float32 (librosa's default dtype), HTK scale
# without normalisation, and a float64 Slaney bank with a band limit.
np.save(out / "mel_fb_sr22050_nfft512_nmels40_slaney_f32.npy",
        librosa.filters.mel(sr=22050, n_fft=512, n_mels=40))
np.save(out / "mel_fb_sr16000_nfft400_nmels32_fmin50_fmax7000_htk_nonorm_f32.npy",
        librosa.filters.mel(sr=16000, n_fft=400, n_mels=32, fmin=50, fmax=7000, htk=True, norm=None))
np.save(out / "mel_fb_sr44100_nfft256_nmels24_fmin30_fmax16000_slaney_f64.npy",
        librosa.filters.mel(sr=44100, n_fft=256, n_mels=24, fmin=30, fmax=16000, dtype=np.float64))

# A log-mel with every non-default option at once: reflect padding (the 2019 paper's librosa), a
# shorter window, power 1, HTK, no norm. The 1 s test signal is built from integer arithmetic only (an
# LCG for noise, a phase accumulator for a chirped triangle wave, a silent stretch) so the C++ test
# (reference_signal in mel_test.cpp) makes exactly the same float32 samples: no audio is stored.
def reference_signal(n=16000):
    y = np.zeros(n, dtype=np.float32)
    lcg, phase = 12345, 0
    for i in range(n):
        lcg = (1103515245 * lcg + 12345) % 2**31
        k = (lcg >> 16) % 2001 - 1000
        phase = (phase + 26843545 + 4000 * i) % 2**32
        u = phase >> 16
        tri = (u if u < 32768 else 65535 - u) - 16384
        y[i] = np.float32(tri) / np.float32(32768) + np.float32(k) / np.float32(262144)
    y[8000:10000] = 0
    return y


sr = 16000
y = reference_signal()
S = librosa.feature.melspectrogram(y=y, sr=sr, n_fft=512, hop_length=160, win_length=400, center=True,
                                   pad_mode="reflect", power=1.0, n_mels=40, fmin=20, fmax=7600, htk=True,
                                   norm=None)
np.save(out / "logmel_sr16000_nfft512_hop160_win400_reflect_power1_nmels40_fmin20_fmax7600_htk_nonorm.npy",
        librosa.power_to_db(S, ref=1.0, amin=1e-10, top_db=80.0))
print("librosa", librosa.__version__, "->", out)

# librosa.load of one shared FMA MP3 at 22050 Hz (libsndfile/mpg123 decode, mean of channels, soxr_hq):
# only its length and 64 samples spread over the clip are stored (row 0: indices, row 1: values,
# row 2: [length, 0...]), enough to pin decode + downmix + resampling to librosa's bits.
shared = pathlib.Path(__file__).resolve().parents[2].parent / "shared" / "data"
mp3 = shared / "fma-gtzan" / "fma_small" / "001" / "001000.mp3"
if mp3.exists():
    y, _ = librosa.load(mp3, sr=22050)
    idx = np.linspace(1000, len(y) - 1000, 64).astype(np.int64)
    probe = np.zeros((3, 64), dtype=np.float64)
    probe[0] = idx
    probe[1] = y[idx]
    probe[2, 0] = len(y)
    np.save(out / "librosa_load_fma_001000_sr22050_probe.npy", probe)
