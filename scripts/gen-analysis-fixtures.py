"""Writes test/fixtures/pca.json: the PCA of a fixed rate matrix, computed by NumPy.

The rates are r[s, i] = (1 + i / 2) sin(0.37 (s + 1) (i + 1)) + 0.1 i cos(0.11 s) for 8 trials of 5 steps
(s = b * 5 + t) and 6 neurons; test/analysis.test.ts builds the same matrix and checks that
sqrtk's trajectories() gives these explained variances and projections (up to each component's
sign). Run: python3 scripts/gen-analysis-fixtures.py (NumPy only).
"""
import json
import numpy as np

trials, steps, neurons = 8, 5, 6
s = np.arange(trials * steps)[:, None]
i = np.arange(neurons)[None, :]
rates = (1 + 0.5 * i) * np.sin(0.37 * (s + 1) * (i + 1)) + 0.1 * i * np.cos(0.11 * s)
centred = rates - rates.mean(axis=0)
cov = centred.T @ centred / (rates.shape[0] - 1)
eigenvalues, vectors = np.linalg.eigh(cov)
order = np.argsort(eigenvalues)[::-1]
eigenvalues, vectors = eigenvalues[order], vectors[:, order]
projected = centred @ vectors[:, :3]
fixture = {
    "trials": trials,
    "steps": steps,
    "neurons": neurons,
    "explained": (eigenvalues / np.trace(cov)).tolist(),
    "projected": projected.tolist(),
    "numpy": np.__version__,
}
with open("test/fixtures/pca.json", "w") as f:
    json.dump(fixture, f, indent=1)
    f.write("\n")
