#!/usr/bin/env python3
"""How much genre information simple hand-made features carry in a corpus: the reference against
which the paper models' latents are read (docs/paper.md, docs/results.md).

Reads a cantus feature store (extract_features --cache DIR, or the one table1 builds) and the
corpus's fma_metadata/tracks.csv, and fits scikit-learn's logistic regression and random forest
(200 trees, depth 20, as table1) on two per-track feature sets:
  mel-stats  mean and standard deviation of each log-mel bin over the track (256 numbers)
  loudness   log RMS and log crest factor (peak / RMS) of the raw audio (2 numbers): all that a
             latent which only follows the signal level could know
  waveform   loudness plus short-memory statistics of the samples themselves: zero-crossing rate,
             excess kurtosis and the autocorrelation at lags 1..8 (12 numbers): what a small
             recurrent state running over raw samples (the naive GRU) can summarise without a
             spectral front end
Scores: the corpus's own training -> test split, and a 5-fold cross-validation grouped by the style
corpus's pattern family (or by artist where tracks.csv has one), so no family is in both halves.

  python3 examples/paper/corpus_baselines.py CORPUS_ROOT FEATURE_STORE_DIR
e.g. for the embedded corpus after `table1`:
  python3 examples/paper/corpus_baselines.py ~/.cache/cantus/style-corpus ~/.cache/cantus/style-corpus/features

Needs numpy and scikit-learn (a reference script: the library and its tests do not use Python).
"""
import csv
import sys
from pathlib import Path

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def read_store(store: Path):
    """Per-track (id, split, label, mel [frames, n_mels], raw) from index.tsv, mel.f32 and raw.f32."""
    lines = (store / "index.tsv").read_text().splitlines()
    n_mels = int(next(l.split()[1] for l in lines if l.startswith("n_mels ")))
    start = next(i for i, l in enumerate(lines) if l.startswith("tracks\t"))
    mel = np.memmap(store / "mel.f32", dtype=np.float32, mode="r")
    raw = np.memmap(store / "raw.f32", dtype=np.float32, mode="r")
    tracks = []
    for line in lines[start + 1:]:
        f = line.split("\t")
        if len(f) < 9 or f[3] != "ok":
            continue
        tid, split, label = int(f[0]), f[1], int(f[2])
        mel_off, frames, raw_off, n_raw = int(f[4]), int(f[5]), int(f[6]), int(f[7])
        m = np.asarray(mel[mel_off:mel_off + frames * n_mels]).reshape(n_mels, frames).T  # stored [n_mels, frames]
        tracks.append((tid, split, label, m, np.asarray(raw[raw_off:raw_off + n_raw], dtype=np.float64)))
    return tracks


def read_groups(root: Path):
    """track id -> pattern family (style corpus) or artist (FMA), else the track itself."""
    groups = {}
    with open(root / "fma_metadata" / "tracks.csv", newline="") as f:
        rows = list(csv.reader(f))
    top, sub = rows[0], rows[1]
    col = next((i for i, (a, b) in enumerate(zip(top, sub)) if (a, b) in (("style", "pattern_family"), ("artist", "id"))), None)
    for r in rows[3:]:
        if r and r[0].isdigit():
            groups[int(r[0])] = r[col] if col is not None else r[0]
    return groups


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    root, store = Path(sys.argv[1]), Path(sys.argv[2])
    tracks, groups = read_store(store), read_groups(root)
    y = np.array([t[2] for t in tracks])
    split = np.array([t[1] for t in tracks])
    g = [groups.get(t[0], str(t[0])) for t in tracks]
    def loudness(x):
        rms = np.sqrt((x ** 2).mean()) + 1e-12
        return [np.log(rms), np.log(np.abs(x).max() / rms + 1e-12)]

    def waveform(x):
        x = x - x.mean()
        var = (x ** 2).mean() + 1e-24
        zcr = np.mean(np.signbit(x[1:]) != np.signbit(x[:-1]))
        kurtosis = (x ** 4).mean() / var ** 2 - 3.0
        acf = [(x[k:] * x[:-k]).mean() / var for k in range(1, 9)]
        return loudness(x) + [zcr, kurtosis] + acf

    feats = {
        "mel-stats": np.array([np.concatenate([t[3].mean(0), t[3].std(0)]) for t in tracks]),
        "loudness": np.array([loudness(t[4]) for t in tracks]),
        "waveform": np.array([waveform(t[4]) for t in tracks]),
    }
    tr, te = split == "training", split == "test"
    chance = 1.0 / len(np.unique(y))
    print(f"{root}: {len(tracks)} tracks ({tr.sum()} training, {te.sum()} test), {len(set(g))} groups, chance {chance:.3f}")
    print("| features | classifier | train accuracy | test accuracy | grouped 5-fold accuracy |")
    print("|---|---|---|---|---|")
    for name, X in feats.items():
        for cname, make in (("lr", lambda: make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))),
                            ("rf", lambda: RandomForestClassifier(200, max_depth=20, random_state=0))):
            clf = make().fit(X[tr], y[tr])
            cv = cross_val_score(make(), X, y, groups=g, cv=GroupKFold(5))
            print(f"| {name} | {cname} | {clf.score(X[tr], y[tr]):.3f} | {clf.score(X[te], y[te]):.3f} | "
                  f"{cv.mean():.3f} +- {cv.std():.3f} |")


if __name__ == "__main__":
    main()
