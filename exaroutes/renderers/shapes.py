"""Module shapes as geometry both renderers draw, so a PNG and an SVG of one style look the same.

Every dark module becomes one `Tile`: a (rounded) rectangle inside its own cell, in module units.
Tiles never leave their cell, so the PNG renderer can rasterize each distinct tile once (a stamp)
and paste it, and the SVG renderer writes the same rectangle with the same corner arcs.

The three finder patterns stay solid squares for the shapes that break a module apart (circle,
gapped, bars): readers locate a symbol by the 1:1:3:1:1 runs of the finders, and dots or bars there
cost detection first. `rounded` only rounds corners that no neighbour touches, so finders stay whole.
"""
from dataclasses import dataclass

SHAPES = ("square", "rounded", "circle", "gapped", "vertical-bars", "horizontal-bars")

#: how much of its cell a dot, a gapped square or a bar keeps (the rest is the visible gap)
INSET = 0.1


@dataclass(frozen=True)
class Tile:
    """A rectangle in cell units (0..1) whose listed corners are rounded with `radius` (cell units)."""

    x0: float
    y0: float
    x1: float
    y1: float
    radius: float = 0.0
    corners: tuple = (False, False, False, False)     # top-left, top-right, bottom-right, bottom-left


SQUARE = Tile(0.0, 0.0, 1.0, 1.0)
GAPPED = Tile(INSET, INSET, 1 - INSET, 1 - INSET)
DOT = Tile(INSET, INSET, 1 - INSET, 1 - INSET, 0.5 - INSET, (True,) * 4)


def in_finder(x, y, n):
    return (x < 7 and y < 7) or (x >= n - 7 and y < 7) or (x < 7 and y >= n - 7)


def _rounded(up, right, down, left):
    """Round a corner only when neither module beside it is dark: runs stay joined, ends become soft."""
    corners = (not (up or left), not (up or right), not (down or right), not (down or left))
    return Tile(0.0, 0.0, 1.0, 1.0, 0.5, corners) if any(corners) else SQUARE


def _bar(before, after, vertical):
    """One cell of a bar: flat where the run continues, a half-round cap where it ends."""
    if vertical:
        corners = (not before, not before, not after, not after)
        return Tile(INSET, 0.0, 1 - INSET, 1.0, 0.5 - INSET, corners)
    corners = (not before, not after, not after, not before)
    return Tile(0.0, INSET, 1.0, 1 - INSET, 0.5 - INSET, corners)


def tiles(matrix, shape):
    """(column, row, Tile) for every dark module of `matrix` drawn in `shape`."""
    if shape not in SHAPES:
        raise ValueError(f"unknown shape {shape!r}")
    n = len(matrix)
    # One light module all around, so neighbours need no bounds checks.
    edge = [False] * (n + 2)
    padded = [edge] + [[False, *map(bool, row), False] for row in matrix] + [edge]
    for y in range(n):
        above, here, below = padded[y], padded[y + 1], padded[y + 2]
        for x in range(n):
            if not here[x + 1]:
                continue
            if shape == "square":
                yield x, y, SQUARE
            elif shape == "rounded":
                yield x, y, _rounded(above[x + 1], here[x + 2], below[x + 1], here[x])
            elif in_finder(x, y, n):
                yield x, y, SQUARE
            elif shape == "circle":
                yield x, y, DOT
            elif shape == "gapped":
                yield x, y, GAPPED
            elif shape == "vertical-bars":
                yield x, y, _bar(above[x + 1], below[x + 1], vertical=True)
            else:
                yield x, y, _bar(here[x], here[x + 2], vertical=False)
