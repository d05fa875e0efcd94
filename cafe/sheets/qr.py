"""QR codes for the sheets as small inline SVG, which browsers and WeasyPrint both draw.

The code is one stroked path that snakes along the rows (left to right, then right to left)
and a dash pattern that inks the dark modules. The usual SVG of a QR code has a path segment
for every run of dark modules, and reading those segments is most of the time WeasyPrint
spends on a card; the snake has two segments a row, so a thousand cards stay quick.
"""

from __future__ import annotations

from itertools import groupby

import segno
from markupsafe import Markup

BORDER = 2  # quiet zone, in modules; the card's white margin adds to it
#: A fixed mask pattern: any of the eight is valid and scans, and choosing the best one for each
#: code takes segno four times as long as making the code.
MASK = 0


def qr_svg(url: str) -> Markup:
    """The link as a QR code (error correction M), sized by CSS through class `cafe-sheet-qr`."""
    code = segno.make(url, error="m", mask=MASK)
    rows = [[bool(module) for module in row] for row in code.matrix]
    count = len(rows)
    units: list[bool] = []  # dark or light, one per unit of the path's length
    steps = []
    for y, row in enumerate(rows):
        units.extend(row if y % 2 == 0 else reversed(row))
        steps.append(f"h{count}" if y % 2 == 0 else f"h-{count}")
        if y < count - 1:
            units.append(False)  # the step down to the next row is never inked
            steps.append("v1")
    runs = [len(list(group)) for _, group in groupby(units)]
    if not units[0]:
        runs.insert(0, 0)  # a dash pattern starts with a dash
    size = count + 2 * BORDER
    return Markup(
        f'<svg class="cafe-sheet-qr" viewBox="0 0 {size} {size}" role="img" aria-label="QR code">'
        f'<path d="M{BORDER} {BORDER + 0.5}{"".join(steps)}" fill="none" stroke="#000" '
        f'stroke-dasharray="{" ".join(map(str, runs))}"/></svg>')
