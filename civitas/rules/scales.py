"""Bracket scales, computed the same way for one value and for an array.

Both versions add up brackets in the same order with the same operations, so
the single and the vectorised evaluators give bit-identical results.

- marginal_rate: each bracket's rate applies to the part of the base inside it.
- single_amount: the amount of the bracket the base falls in (threshold <= base).
- marginal_amount: the amounts of every bracket whose threshold the base exceeds, added.
- linear_average_rate: the base times an average rate that goes linearly from one
  bracket's rate to the next one's; below the first threshold and from the last one on,
  the result is 0, as in OpenFisca (end the scale with a threshold out of reach).
"""

from __future__ import annotations

import bisect
import math

import numpy as np

from civitas.rules.model import LINEAR_AVERAGE_RATE, MARGINAL_AMOUNT, MARGINAL_RATE, ScaleAt


def _average_rate_table(scale: ScaleAt) -> tuple[list[float], list[float], list[float]]:
    """Start rate, threshold and slope by position ``bisect_right(thresholds, base)``:
    0 is below the first threshold, len(thresholds) from the last one on (both 0)."""
    t, r = scale.thresholds, scale.values
    starts, lows, slopes = [0.0], [0.0], [0.0]
    for i in range(len(t) - 1):
        starts.append(r[i])
        lows.append(t[i])
        slopes.append((r[i + 1] - r[i]) / (t[i + 1] - t[i]))
    return [*starts, 0.0], [*lows, 0.0], [*slopes, 0.0]


def scale_scalar(scale: ScaleAt, base: float) -> float:
    t, v = scale.thresholds, scale.values
    if scale.kind == MARGINAL_RATE:
        total = 0.0
        for i, rate in enumerate(v):
            upper = t[i + 1] if i + 1 < len(t) else math.inf
            total = total + rate * max(min(base, upper) - t[i], 0.0)
        return total
    if scale.kind == MARGINAL_AMOUNT:
        total = 0.0
        for i, amount in enumerate(v):
            if base > t[i]:
                total = total + amount
        return total
    if scale.kind == LINEAR_AVERAGE_RATE:
        if len(v) == 1:
            return base * v[0]
        starts, lows, slopes = _average_rate_table(scale)
        k = bisect.bisect_right(t, base)
        return base * (starts[k] + (base - lows[k]) * slopes[k])
    i = bisect.bisect_right(t, base) - 1
    return float(v[i]) if i >= 0 else 0.0


def scale_array(scale: ScaleAt, base: np.ndarray | float) -> np.ndarray:
    base = np.asarray(base, dtype=np.float64)
    t, v = scale.thresholds, scale.values
    if scale.kind == MARGINAL_RATE:
        total = np.zeros(base.shape)
        for i, rate in enumerate(v):
            upper = t[i + 1] if i + 1 < len(t) else math.inf
            part = np.minimum(base, upper)
            part -= t[i]
            np.maximum(part, 0.0, out=part)
            part *= rate
            total += part
        return total
    if scale.kind == MARGINAL_AMOUNT:
        total = np.zeros(base.shape)
        for i, amount in enumerate(v):
            total += np.where(base > t[i], amount, 0.0)
        return total
    if scale.kind == LINEAR_AVERAGE_RATE:
        if len(v) == 1:
            return base * v[0]
        starts, lows, slopes = (np.array(a) for a in _average_rate_table(scale))
        k = np.searchsorted(np.array(t), base, side="right")
        return base * (starts[k] + (base - lows[k]) * slopes[k])
    guarded = np.array([0.0, *v])
    return guarded[np.searchsorted(np.array(t), base, side="right")]
