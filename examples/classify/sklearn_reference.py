#!/usr/bin/python3
"""scikit-learn side of bench_classify: regenerates the anchors' synthetic task and times the
reference estimators. Run with Debian's /usr/bin/python3 (python3-sklearn 1.2).

  sklearn_reference.py data DIR           writes DIR/{train,test}_{X,y}_d{100,512}.npy
  sklearn_reference.py rf DIR D THREADS [SEEDS]   RandomForestClassifier(200, max_depth=20, n_jobs=THREADS),
                                          random_state 0..SEEDS-1; means of time and accuracy
  sklearn_reference.py lr DIR D           LogisticRegression(max_iter=1000) on standardised X
  sklearn_reference.py tsne DIR OUT.npy   TSNE(perplexity=30, init="pca", learning_rate="auto") on all 7200 x 100
Every timing prints one JSON object on stdout.
"""
import json
import os
import sys
import time

import numpy as np


def make_data(out):
    from sklearn.datasets import make_classification
    os.makedirs(out, exist_ok=True)
    for d in (100, 512):
        X, y = make_classification(n_samples=7200, n_features=d, n_informative=40, n_redundant=10, n_classes=8,
                                   n_clusters_per_class=2, class_sep=0.8, random_state=0)
        np.save(os.path.join(out, f"train_X_d{d}.npy"), X[:6400])
        np.save(os.path.join(out, f"train_y_d{d}.npy"), y[:6400].astype(np.int64))
        np.save(os.path.join(out, f"test_X_d{d}.npy"), X[6400:])
        np.save(os.path.join(out, f"test_y_d{d}.npy"), y[6400:].astype(np.int64))


def load(dir, d):
    return [np.load(os.path.join(dir, f"{s}_d{d}.npy")) for s in ("train_X", "train_y", "test_X", "test_y")]


def main():
    what = sys.argv[1]
    if what == "data":
        make_data(sys.argv[2])
        return
    if what == "rf":
        from sklearn.ensemble import RandomForestClassifier
        Xtr, ytr, Xte, yte = load(sys.argv[2], int(sys.argv[3]))
        seeds = int(sys.argv[5]) if len(sys.argv) > 5 else 1
        fits, cpus, accs = [], [], []
        for seed in range(seeds):
            m = RandomForestClassifier(n_estimators=200, max_depth=20, n_jobs=int(sys.argv[4]), random_state=seed)
            t, c = time.perf_counter(), time.process_time()
            m.fit(Xtr, ytr)
            fits.append(time.perf_counter() - t)
            cpus.append(time.process_time() - c)
            accs.append(float(m.score(Xte, yte)))
        print(json.dumps({"fit_seconds": float(np.mean(fits)), "cpu_seconds": float(np.mean(cpus)),
                          "test_accuracy": float(np.mean(accs)), "accuracies": accs}))
    elif what == "lr":
        from sklearn.linear_model import LogisticRegression
        from sklearn.preprocessing import StandardScaler
        Xtr, ytr, Xte, yte = load(sys.argv[2], int(sys.argv[3]))
        t, c = time.perf_counter(), time.process_time()
        scaler = StandardScaler().fit(Xtr)
        m = LogisticRegression(max_iter=1000).fit(scaler.transform(Xtr), ytr)
        fit, cpu = time.perf_counter() - t, time.process_time() - c
        print(json.dumps({"fit_seconds": fit, "cpu_seconds": cpu, "test_accuracy": float(m.score(scaler.transform(Xte), yte)),
                          "n_iter": int(m.n_iter_[0])}))
    elif what == "tsne":
        from sklearn.manifold import TSNE, trustworthiness
        Xtr, _, Xte, _ = load(sys.argv[2], 100)
        X = np.vstack([Xtr, Xte])
        t, c = time.perf_counter(), time.process_time()
        tsne = TSNE(n_components=2, perplexity=30, init="pca", learning_rate="auto", random_state=0)
        Y = tsne.fit_transform(X)
        fit, cpu = time.perf_counter() - t, time.process_time() - c
        np.save(sys.argv[3], Y.astype(np.float64))
        t = time.perf_counter()
        trust = trustworthiness(X, Y, n_neighbors=10)
        print(json.dumps({"fit_seconds": fit, "cpu_seconds": cpu, "kl_divergence": float(tsne.kl_divergence_), "trustworthiness": float(trust),
                          "trustworthiness_seconds": time.perf_counter() - t}))
    else:
        sys.exit(f"unknown command {what!r}; see the docstring")


if __name__ == "__main__":
    main()
