#!/usr/bin/python3
"""Writes the small scikit-learn golden that test_classify compares logistic_regression against.
Run once with Debian's python3-sklearn 1.2 from the repository root:
  /usr/bin/python3 tests/classify/make_lr_golden.py
"""
import os

import numpy as np
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

def save(path, a):
    np.save(path, np.ascontiguousarray(a))  # C order: cantus' .npy reader takes no Fortran arrays


out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
os.makedirs(out, exist_ok=True)
X, y = make_classification(n_samples=90, n_features=5, n_informative=4, n_redundant=1, n_classes=3,
                           n_clusters_per_class=1, random_state=1)
labels = np.array([-4, 7, 30])[y]  # arbitrary ints: classes_ must map them
save(os.path.join(out, "lr_X.npy"), X)
save(os.path.join(out, "lr_y3.npy"), labels.astype(np.int64))
m = LogisticRegression(C=0.5, tol=1e-10, max_iter=1000).fit(X, labels)
save(os.path.join(out, "lr_coef3.npy"), m.coef_)
save(os.path.join(out, "lr_intercept3.npy"), m.intercept_)
save(os.path.join(out, "lr_proba3.npy"), m.predict_proba(X))

y2 = (y == 1).astype(np.int32) * 5 + 2  # labels {2, 7}
save(os.path.join(out, "lr_y2.npy"), y2.astype(np.int32))
m2 = LogisticRegression(C=1.0, tol=1e-10, max_iter=1000).fit(X, y2)
save(os.path.join(out, "lr_coef2.npy"), m2.coef_)
save(os.path.join(out, "lr_intercept2.npy"), m2.intercept_)
save(os.path.join(out, "lr_proba2.npy"), m2.predict_proba(X))
print("multinomial coef", m.coef_, "binary coef", m2.coef_, sep="\n")
