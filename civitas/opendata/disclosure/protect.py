"""Statistical disclosure control of count tables: cell suppression or rounding.

Suppression
    1. Primary: every cell (totals included) counting between 1 and ``threshold - 1`` people is
       hidden.
    2. Secondary: a line (a row, column or deeper slice with its total) with exactly one hidden
       cell would give that cell away by subtraction, so another cell of the line is hidden too -
       the smallest non-zero one, never a figure that other tables also publish.
    3. Audit: all the lines of all the tables of one publication form a system of linear
       equations in the hidden cells. A hidden cell is recomputable exactly when every solution
       of the system agrees on it, i.e. when the system's null space is zero at that cell. Such a
       cell gets a further companion hidden in one of its lines, and the audit runs again until
       no hidden cell can be recomputed.

Rounding
    Primary suppression as above, then every other figure, totals included, is rounded to the
    nearest multiple of ``base`` independently, so differences of published figures no longer
    reveal a small cell exactly.

Zeros are published as zeros. The audit covers exact recomputation from the published tables;
it does not bound how narrowly an interval can be inferred with non-negativity (the rounding
method, or a higher threshold, is the answer where that matters).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from civitas.opendata.disclosure.cube import Cube

SUPPRESSION = "suppression"
ROUNDING = "rounding"


@dataclass
class Protected:
    cube: Cube
    values: np.ndarray  # published figures (rounded when rounding); meaningless where hidden
    hidden: np.ndarray  # bool, same shape


@dataclass(frozen=True)
class Method:
    name: str
    threshold: int
    base: int = 1

    def describe(self) -> dict:
        if self.name == ROUNDING:
            summary = (
                f"Counts from 1 to {self.threshold - 1} are not published (shown empty). Every "
                f"other figure, totals included, is rounded to the nearest multiple of "
                f"{self.base}, so totals may differ slightly from the sum of their parts."
            )
        else:
            summary = (
                f"Counts from 1 to {self.threshold - 1} are not published (shown empty), and "
                "further cells are hidden so that no hidden count can be worked out from the "
                "totals published in the same or another table of this dataset."
            )
        return {
            "method": self.name,
            "threshold": self.threshold,
            "rounding_base": self.base if self.name == ROUNDING else None,
            "primary": f"cell suppression of counts 1 to {self.threshold - 1}",
            "secondary": (
                "line-by-line complementary suppression with an exact linear audit across tables"
                if self.name == SUPPRESSION
                else f"independent rounding to base {self.base}"
            ),
            "zeros": "published",
            "summary": summary,
        }


def _primary(cube: Cube, threshold: int) -> np.ndarray:
    counts = cube.counts
    return (counts > 0) & (counts < threshold)


def _companion(cube: Cube, line: np.ndarray, hidden: np.ndarray, exclude: set[int]) -> int | None:
    """The cell to hide next in a line: the smallest non-zero open cell, not linked to other
    tables; then linked or zero cells as a last resort."""
    counts = cube.counts.reshape(-1)
    flat_hidden = hidden.reshape(-1)
    candidates = [int(c) for c in line if not flat_hidden[c] and int(c) not in exclude]
    if not candidates:
        return None

    def rank(cell: int) -> tuple:
        value = int(counts[cell])
        return (cell in cube.links, value == 0, cell == int(line[-1]), value, cell)

    return min(candidates, key=rank)


def _secondary_pass(cube: Cube, hidden: np.ndarray) -> bool:
    """Hide a companion in every line that has exactly one hidden cell; True if anything moved."""
    changed = False
    flat_hidden = hidden.reshape(-1)
    for line in cube.lines():
        count = int(flat_hidden[line].sum())
        if count == 1:
            cell = _companion(cube, line, hidden, set())
            if cell is not None:
                flat_hidden[cell] = True
                changed = True
    return changed


def _exposed(cubes: list[Cube], hiddens: list[np.ndarray]) -> list[tuple[int, int]]:
    """Hidden cells (table, flat index) that the published figures determine exactly."""
    variables: dict[tuple, int] = {}
    owners: dict[int, list[tuple[int, int]]] = {}

    def var(t: int, cell: int) -> int:
        key = ("link", *cubes[t].links[cell]) if cell in cubes[t].links else ("cell", t, cell)
        index = variables.setdefault(key, len(variables))
        owners.setdefault(index, []).append((t, cell))
        return index

    equations: list[list[tuple[int, float]]] = []
    for t, cube in enumerate(cubes):
        flat_hidden = hiddens[t].reshape(-1)
        for line in cube.lines():
            terms = [
                (var(t, int(c)), -1.0 if i == len(line) - 1 else 1.0)
                for i, c in enumerate(line)
                if flat_hidden[c]
            ]
            if terms:
                equations.append(terms)
    if not equations:
        return []
    # connected blocks of hidden variables, audited one at a time
    parent = list(range(len(variables)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for terms in equations:
        first = find(terms[0][0])
        for v, _ in terms[1:]:
            parent[find(v)] = first
    by_block: dict[int, list[list[tuple[int, float]]]] = {}
    for terms in equations:
        by_block.setdefault(find(terms[0][0]), []).append(terms)
    exposed: list[tuple[int, int]] = []
    for block_equations in by_block.values():
        members = sorted({v for terms in block_equations for v, _ in terms})
        column = {v: i for i, v in enumerate(members)}
        matrix = np.zeros((len(block_equations), len(members)))
        for row, terms in enumerate(block_equations):
            for v, coefficient in terms:
                matrix[row, column[v]] += coefficient
        # null space of the block: eigenvectors of AᵀA with (numerically) zero eigenvalue; one
        # BLAS thread is faster here than several fighting for busy cores
        with threadpool_limits(limits=1, user_api="blas"):
            eigenvalues, vectors = np.linalg.eigh(matrix.T @ matrix)
        null = vectors[:, eigenvalues < 1e-8 * max(1.0, float(eigenvalues.max(initial=0.0)))]
        for v in members:
            if null.shape[1] == 0 or np.all(np.abs(null[column[v], :]) < 1e-7):
                exposed.extend(owners[v][:1])
    return exposed


def _sync_links(cubes: list[Cube], hiddens: list[np.ndarray]) -> bool:
    """A figure published in several tables is hidden in all of them or in none."""
    hidden_keys = {
        key
        for cube, hidden in zip(cubes, hiddens, strict=True)
        for cell, key in cube.links.items()
        if hidden.reshape(-1)[cell]
    }
    changed = False
    for cube, hidden in zip(cubes, hiddens, strict=True):
        flat = hidden.reshape(-1)
        for cell, key in cube.links.items():
            if key in hidden_keys and not flat[cell]:
                flat[cell] = True
                changed = True
    return changed


def suppress(cubes: list[Cube], *, threshold: int, max_rounds: int = 200) -> list[np.ndarray]:
    hiddens = [_primary(cube, threshold) for cube in cubes]
    for _ in range(max_rounds):
        moved = _sync_links(cubes, hiddens)
        for cube, hidden in zip(cubes, hiddens, strict=True):
            while _secondary_pass(cube, hidden):
                moved = True
        moved = _sync_links(cubes, hiddens) or moved
        if moved:
            continue
        exposed = _exposed(cubes, hiddens)
        if not exposed:
            return hiddens
        for t, cell in exposed:
            cube, hidden = cubes[t], hiddens[t]
            for line in cube.lines():
                if cell in line:
                    companion = _companion(cube, line, hidden, set())
                    if companion is not None:
                        hidden.reshape(-1)[companion] = True
                        break
    raise RuntimeError("disclosure control did not settle; publish fewer or coarser tables")


def protect(cubes: list[Cube], method: Method) -> list[Protected]:
    if method.name == ROUNDING:
        out = []
        for cube in cubes:
            hidden = _primary(cube, method.threshold)
            base = method.base
            values = (np.floor(cube.counts / base + 0.5) * base).astype(np.int64)
            out.append(Protected(cube=cube, values=values, hidden=hidden))
        # figures shared between tables are hidden everywhere if hidden anywhere
        _sync_links([p.cube for p in out], [p.hidden for p in out])
        return out
    hiddens = suppress(cubes, threshold=method.threshold)
    return [
        Protected(cube=cube, values=cube.counts.copy(), hidden=hidden)
        for cube, hidden in zip(cubes, hiddens, strict=True)
    ]


def rows(protected: Protected) -> list[dict]:
    """The published rows of a table: one per cell, totals labelled "Total", hidden counts None."""
    cube = protected.cube
    out = []
    for flat in range(cube.counts.size):
        index = tuple(int(i) for i in np.unravel_index(flat, cube.shape))
        row = dict(zip(cube.dimensions, cube.label(index), strict=True))
        hidden = bool(protected.hidden.reshape(-1)[flat])
        row["count"] = None if hidden else int(protected.values.reshape(-1)[flat])
        out.append(row)
    return out
