"""Count tables with their totals: the shape statistical disclosure control works on.

A table of ``k`` dimensions is an array of shape ``(n1 + 1, ..., nk + 1)``: the last position of
each dimension is the total over it, so every cell, subtotal and grand total is one cell. A "line"
is the cells along one dimension with the others fixed; its last cell is the sum of the others.
Those lines are exactly the equations a reader could use to recompute a hidden cell.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

TOTAL = "Total"


@dataclass
class Cube:
    name: str
    dimensions: list[str]
    categories: list[list[str]]  # per dimension, without the total
    counts: np.ndarray  # shape (n1 + 1, ..., nk + 1), margins filled in
    # cells shared with other tables (same figure published twice): never chosen as a
    # secondary suppression, and audited together with those tables; maps flat index -> key
    links: dict[int, tuple] = field(default_factory=dict)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.counts.shape

    def label(self, index: tuple[int, ...]) -> tuple[str, ...]:
        return tuple(
            TOTAL if i == len(cats) else cats[i]
            for i, cats in zip(index, self.categories, strict=True)
        )

    def lines(self) -> Iterable[np.ndarray]:
        """Each line as an array of flat indices; its last element is the line's total."""
        flat = np.arange(self.counts.size).reshape(self.shape)
        for axis in range(len(self.shape)):
            moved = np.moveaxis(flat, axis, -1).reshape(-1, self.shape[axis])
            yield from moved


def build(
    name: str,
    records: Iterable[tuple],
    *,
    dimensions: list[str],
    categories: list[list[str]] | None = None,
    weights: Iterable[float] | None = None,
) -> Cube:
    """Count records (tuples of category values, one per dimension) into a cube with margins.
    Categories default to the values seen, sorted; given categories keep their order (and their
    zero rows). With ``weights`` (one per record) the cells hold sums instead of counts."""
    rows = list(records)
    if categories is None:
        categories = [sorted({row[i] for row in rows}, key=str) for i in range(len(dimensions))]
    positions = [{value: i for i, value in enumerate(cats)} for cats in categories]
    shape = tuple(len(cats) + 1 for cats in categories)
    amounts = list(weights) if weights is not None else None
    counts = np.zeros(shape, dtype=np.int64 if amounts is None else np.float64)
    interior = tuple(slice(0, n - 1) for n in shape)
    for number, row in enumerate(rows):
        index = tuple(positions[d][row[d]] for d in range(len(dimensions)))
        counts[index] += 1 if amounts is None else amounts[number]
    core = counts[interior].copy()
    counts[...] = 0
    counts[interior] = core
    for axis in range(len(shape)):
        # fill the total along this axis from everything before it (including earlier totals)
        taken = np.take(counts, range(shape[axis] - 1), axis=axis).sum(axis=axis)
        index = [slice(None)] * len(shape)
        index[axis] = shape[axis] - 1
        counts[tuple(index)] = taken
    return Cube(
        name=name, dimensions=dimensions, categories=[list(c) for c in categories], counts=counts
    )


def link_margin(cube: Cube, *, keep: list[str], key_of) -> None:
    """Declare the cells where every dimension outside ``keep`` is at its total as shared with
    other tables, under ``key_of(label)`` (None: not shared)."""
    keep_axes = [cube.dimensions.index(d) for d in keep]
    for flat in range(cube.counts.size):
        index = np.unravel_index(flat, cube.shape)
        if all(
            index[axis] == cube.shape[axis] - 1
            for axis in range(len(cube.shape))
            if axis not in keep_axes
        ):
            label = cube.label(tuple(int(i) for i in index))
            key = key_of({cube.dimensions[a]: label[a] for a in keep_axes})
            if key is not None:
                cube.links[flat] = key
