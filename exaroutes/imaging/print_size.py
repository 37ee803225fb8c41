"""Print guidance: the smallest printed side at which a phone camera reads a code at arm's length.

The rule is module size at a scanning distance (docs/scanning.md "Print size" has the derivation and
its sources):

    module_mm = pixels a reader needs per module x the width a camera pixel covers at the distance

- distance: 300 mm, arm's length (DESIGN.md §1.4);
- camera: a phone's main camera, 26 mm focal length in 35 mm terms (36 mm wide frame), so at 300 mm
  it sees 300 x 36 / 26 = 415 mm across; barcode readers analyse preview frames of 1280 px across
  (ML Kit's recommended 1280x720), so one pixel covers 0.32 mm;
- pixels per module: 3. ML Kit asks for at least 2; a camera's pixels never line up with the
  modules, and at 3 px per module, not aligned, zxing-cpp and ZBar read every degraded picture of
  the readers bench (BENCHMARKS.md "Readers", the down3 and down2.5 rows).

So a module must be printed at least 0.97 mm wide, and the printed image (quiet zone included,
`modules` across) at least `modules x 0.97 mm`. A margin under the standard's 4 modules is flagged:
`blankBorderMm` says how much blank space to leave around the printed image so that a 4-module quiet
zone exists on paper.
"""
import math

READING_DISTANCE_MM = 300
FOCAL_LENGTH_35MM = 26
FRAME_WIDTH_MM_35MM = 36
ANALYSIS_FRAME_PX = 1280
PIXELS_PER_MODULE = 3
#: ISO/IEC 18004's quiet zone for QR Code
STANDARD_QUIET_ZONE = 4

MODULE_MM = PIXELS_PER_MODULE * READING_DISTANCE_MM * FRAME_WIDTH_MM_35MM / FOCAL_LENGTH_35MM / ANALYSIS_FRAME_PX


def round_up(mm):
    """Millimetres rounded up to a tenth, so the guidance is never below the rule."""
    return math.ceil(round(mm * 10, 6)) / 10


def print_guidance(symbol_side, margin):
    """The `print` object of a code: modules across its image and the smallest printed side."""
    modules = symbol_side + 2 * margin
    guidance = {"modules": modules, "minSizeMm": round_up(modules * MODULE_MM)}
    if margin < STANDARD_QUIET_ZONE:
        guidance["blankBorderMm"] = round_up((STANDARD_QUIET_ZONE - margin) * MODULE_MM)
    return guidance
