"""Groups of participants on the map: k-means for k = 2..5, k chosen by silhouette.

k-means is seeded (k-means++ starts, several restarts, the lowest within-group spread wins), so
the same votes always give the same groups. Groups are numbered by size, largest first.

Choosing k: the mean silhouette of each k, and the fewest groups whose silhouette is within
`PARSIMONY` of the best. Polis does not switch its number of groups on a small silhouette gain
either (it waits until several consecutive recomputations agree); a one-shot map has no history,
so a margin plays that part. More groups must earn their place by a clearly better separation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

K_CHOICES = (2, 3, 4, 5)
PARSIMONY = 0.02  # silhouette points a larger k must gain to be preferred


@dataclass(frozen=True)
class Clustering:
    labels: np.ndarray  # group per participant, 0 = largest group
    centers: np.ndarray  # (k, 2)
    k: int
    silhouettes: dict[int, float]  # mean silhouette for each k tried


def choose_groups(points: np.ndarray, *, seed: int = 0, restarts: int = 10) -> Clustering:
    n = points.shape[0]
    tried = [k for k in K_CHOICES if k < n]
    if not tried:
        raise ValueError("at least 3 participants are needed to form two groups")
    candidates = {k: kmeans(points, k, seed=seed, restarts=restarts) for k in tried}
    scores = silhouettes(points, {k: labels for k, (labels, _) in candidates.items()})
    # identical votes give no separation at all (silhouette undefined): score it as none
    scores = {k: (-1.0 if not np.isfinite(v) else float(v)) for k, v in scores.items()}
    top = max(scores.values())
    best = min(k for k in tried if scores[k] >= top - PARSIMONY)
    labels, centers = candidates[best]
    return Clustering(labels=labels, centers=centers, k=best, silhouettes=scores)


def kmeans(
    points: np.ndarray, k: int, *, seed: int = 0, restarts: int = 10, max_rounds: int = 300
) -> tuple[np.ndarray, np.ndarray]:
    """(labels, centers) of the restart with the smallest within-group sum of squares."""
    rng = np.random.default_rng(seed)
    n = points.shape[0]
    rows = np.arange(n)
    best: tuple[float, np.ndarray, np.ndarray] | None = None
    for _ in range(restarts):
        centers = _plus_plus(points, k, rng)
        labels = np.full(n, -1)
        for _ in range(max_rounds):
            distance = _squared_distances(points, centers)
            new_labels = distance.argmin(axis=1)
            if np.array_equal(new_labels, labels):
                break
            labels = new_labels
            sizes = np.bincount(labels, minlength=k)
            for axis in range(points.shape[1]):
                totals = np.bincount(labels, weights=points[:, axis], minlength=k)
                np.divide(totals, sizes, out=centers[:, axis], where=sizes > 0)
            for group in np.flatnonzero(sizes == 0):  # restart an empty group at the worst point
                centers[group] = points[int(distance[rows, labels].argmax())]
        spread = float(_squared_distances(points, centers)[rows, labels].sum())
        if best is None or spread < best[0] - 1e-12:
            best = (spread, labels.copy(), centers.copy())
    assert best is not None
    return _numbered_by_size(best[1], best[2])


def _plus_plus(points: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    n = points.shape[0]
    centers = np.empty((k, points.shape[1]))
    centers[0] = points[rng.integers(n)]
    nearest = np.square(points - centers[0]).sum(axis=1)
    for group in range(1, k):
        total = nearest.sum()
        pick = rng.choice(n, p=nearest / total) if total > 0 else rng.integers(n)
        centers[group] = points[pick]
        nearest = np.minimum(nearest, np.square(points - centers[group]).sum(axis=1))
    return centers


def _squared_distances(points: np.ndarray, centers: np.ndarray) -> np.ndarray:
    # Axis by axis: much faster than broadcasting a (points, centers, 2) array for 2 axes.
    total = np.zeros((points.shape[0], centers.shape[0]))
    for axis in range(points.shape[1]):
        diff = points[:, axis, None] - centers[None, :, axis]
        diff *= diff
        total += diff
    return total


def _numbered_by_size(labels: np.ndarray, centers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    k = centers.shape[0]
    sizes = np.bincount(labels, minlength=k)
    order = sorted(range(k), key=lambda g: (-sizes[g], centers[g, 0], centers[g, 1]))
    rename = np.empty(k, dtype=np.int64)
    rename[order] = np.arange(k)
    return rename[labels], centers[order]


def silhouettes(
    points: np.ndarray, labelings: dict[int, np.ndarray], chunk: int = 512
) -> dict[int, float]:
    """Mean silhouette of each labelling: for a participant, (b - a) / max(a, b) where a is the
    mean distance to the rest of their group and b to the nearest other group (0 when alone).

    Exact, on every participant: the distances are computed block by block (single precision)
    and summed per group for all labellings at once with one matrix product per block."""
    n = points.shape[0]
    keys = list(labelings)
    offsets = np.cumsum([0] + [int(labelings[k].max()) + 1 for k in keys])
    onehot = np.zeros((n, offsets[-1]), dtype=np.float32)
    for key, start in zip(keys, offsets[:-1], strict=True):
        onehot[np.arange(n), start + labelings[key]] = 1.0
    sizes = onehot.sum(axis=0, dtype=np.float64)
    x = points[:, 0].astype(np.float32)
    y = points[:, 1].astype(np.float32) if points.shape[1] > 1 else np.zeros(n, np.float32)
    sums = np.empty((n, offsets[-1]))
    for begin in range(0, n, chunk):
        dx = x[begin : begin + chunk, None] - x[None, :]
        dy = y[begin : begin + chunk, None] - y[None, :]
        dx *= dx
        dy *= dy
        dx += dy
        np.sqrt(dx, out=dx)
        sums[begin : begin + chunk] = dx @ onehot
    scores: dict[int, float] = {}
    rows = np.arange(n)
    for key, start, stop in zip(keys, offsets[:-1], offsets[1:], strict=True):
        labels = labelings[key]
        own_size = sizes[start + labels]
        block = sums[:, start:stop]
        within = block[rows, labels] / np.maximum(own_size - 1, 1)
        mean_to = block / np.maximum(sizes[start:stop], 1)
        mean_to[rows, labels] = np.inf
        mean_to[:, sizes[start:stop] == 0] = np.inf
        nearest = mean_to.min(axis=1)
        denominator = np.maximum(within, nearest)
        safe = np.where(denominator > 0, denominator, 1.0)
        value = np.where(denominator > 0, (nearest - within) / safe, 0.0)
        value[own_size <= 1] = 0.0
        scores[key] = float(value.mean())
    return scores
