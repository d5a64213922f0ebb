"""k-means and the silhouette used to choose the number of groups."""

from __future__ import annotations

import numpy as np
import pytest

from civitas.participation.opinion.clustering import choose_groups, kmeans, silhouettes


def test_the_silhouette_matches_a_hand_computation():
    """Points 0, 1 (group 0) and 10 (group 1) on a line.
    Point 0: a = 1 (to 1), b = 10 -> (10 - 1) / 10 = 0.9
    Point 1: a = 1, b = 9 -> 8/9
    Point 10: alone in its group -> 0 by convention.
    Mean: (0.9 + 8/9 + 0) / 3."""
    points = np.array([[0.0, 0.0], [1.0, 0.0], [10.0, 0.0]])
    score = silhouettes(points, {2: np.array([0, 0, 1])})[2]
    assert score == pytest.approx((0.9 + 8 / 9) / 3)


def test_the_silhouette_agrees_with_a_point_by_point_computation():
    rng = np.random.default_rng(3)
    points = rng.normal(size=(60, 2))
    labels = rng.integers(0, 4, 60)
    expected = []
    for i, p in enumerate(points):
        distance = np.sqrt(((points - p) ** 2).sum(axis=1))
        own = labels == labels[i]
        a = distance[own].sum() / (own.sum() - 1) if own.sum() > 1 else 0.0
        b = min(distance[labels == g].mean() for g in set(labels.tolist()) - {labels[i]})
        expected.append(0.0 if own.sum() == 1 else (b - a) / max(a, b))
    ours = silhouettes(points, {4: labels}, chunk=16)[4]
    assert ours == pytest.approx(np.mean(expected), rel=1e-5)


def test_three_clear_blobs_give_three_groups_numbered_by_size():
    rng = np.random.default_rng(0)
    blobs = [
        rng.normal(center, 0.2, size=(size, 2))
        for center, size in (((0, 0), 30), ((5, 5), 50), ((0, 8), 20))
    ]
    points = np.vstack(blobs)

    clustering = choose_groups(points)

    assert clustering.k == 3
    assert np.bincount(clustering.labels).tolist() == [50, 30, 20]
    labels, _ = kmeans(points, 3, seed=0)
    assert np.array_equal(labels, clustering.labels)


def test_a_larger_k_must_clearly_beat_a_smaller_one():
    """One elongated cloud: more groups barely improve the silhouette, so two are kept."""
    rng = np.random.default_rng(1)
    points = np.column_stack([rng.uniform(-5, 5, 400), rng.normal(0, 0.3, 400)])
    clustering = choose_groups(points)
    best = max(clustering.silhouettes.values())
    assert clustering.silhouettes[clustering.k] >= best - 0.02
    assert clustering.k == min(k for k, s in clustering.silhouettes.items() if s >= best - 0.02)


def test_participants_who_all_vote_alike_still_get_a_map():
    """No spread at all (every point identical) used to crash choosing k; it now falls back to
    the smallest number of groups."""
    import numpy as np

    from civitas.participation.opinion.clustering import choose_groups

    result = choose_groups(np.zeros((12, 2)))
    assert result.k == 2
    assert len(result.labels) == 12
