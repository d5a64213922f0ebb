"""Principal components of the vote matrix, the way Polis places participants on the map.

A missing vote is taken as the statement's average vote, which after centring is 0, so the
centred matrix keeps the votes' pattern and nothing else. The two leading components come from a
seeded randomized subspace iteration (a few matrix products, no covariance matrix of all
statements), then each participant's position is stretched by sqrt(statements / their votes) so
that voting on few statements does not pull someone towards the centre (as Polis does).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .vote_matrix import VoteMatrix


@dataclass(frozen=True)
class Projection:
    points: np.ndarray  # (participants, 2) map coordinates
    components: np.ndarray  # (statements, 2) loadings of each statement
    explained_variance_ratio: np.ndarray  # (2,)


def project(
    matrix: VoteMatrix, *, seed: int = 0, iterations: int = 8, oversample: int = 8
) -> Projection:
    participants, statements = matrix.shape
    counts = np.bincount(matrix.col, minlength=statements)
    sums = np.bincount(matrix.col, weights=matrix.value, minlength=statements)
    mean = sums / np.maximum(counts, 1)
    deviation = matrix.value - mean[matrix.col]  # the centred votes; everything else is 0
    centred = np.zeros((participants, statements), dtype=np.float32)
    centred[matrix.row, matrix.col] = deviation

    wanted = min(2, statements, participants)
    width = min(statements, participants, wanted + oversample)
    rng = np.random.default_rng(seed)
    basis = _orthonormal(rng.standard_normal((statements, width)))
    for _ in range(iterations):
        left = _orthonormal(centred @ basis)
        basis = _orthonormal(centred.T @ left)
    sketch = (centred @ basis).astype(np.float64)
    # Right singular vectors of the sketch from its small Gram matrix (width x width).
    eigenvalues, vectors = np.linalg.eigh(sketch.T @ sketch)
    order = np.argsort(eigenvalues)[::-1][:wanted]
    singular = np.sqrt(np.maximum(eigenvalues[order], 0.0))
    components = np.zeros((statements, 2))
    components[:, :wanted] = basis.astype(np.float64) @ vectors[:, order]
    # A component's sign is arbitrary: make its largest loading positive, so maps are stable.
    for axis in range(wanted):
        biggest = int(np.argmax(np.abs(components[:, axis])))
        if components[biggest, axis] < 0:
            components[:, axis] *= -1

    points = (centred @ components.astype(np.float32)).astype(np.float64)
    votes_each = np.bincount(matrix.row, minlength=participants)
    points *= np.sqrt(statements / np.maximum(votes_each, 1))[:, None]
    total = float(np.dot(deviation, deviation))
    explained = np.zeros(2)
    if total > 0:
        explained[:wanted] = singular[:wanted] ** 2 / total
    return Projection(points=points, components=components, explained_variance_ratio=explained)


def _orthonormal(block: np.ndarray) -> np.ndarray:
    """Orthonormal columns spanning `block` (tall and thin), via its small Gram matrix: cheaper
    than a QR factorisation of the tall matrix, and directions that vanish are dropped."""
    wide = block.astype(np.float64)
    eigenvalues, vectors = np.linalg.eigh(wide.T @ wide)
    keep = eigenvalues > eigenvalues.max() * 1e-10 if eigenvalues.max() > 0 else eigenvalues > 0
    if not keep.any():
        return np.zeros_like(block, dtype=np.float32)
    scaled = vectors[:, keep] / np.sqrt(eigenvalues[keep])
    return (wide @ scaled).astype(np.float32)
