"""Which colour pairs scan: decode rates against the luma difference of the pair, across the three
readers and the 18 degradations of scanning.py. The data behind the contrast rule
(docs/scanning.md "Contrast"; BENCHMARKS.md "Contrast"). Run by hand:

    .venv/bin/python scripts/bench/contrast.py

Luma is BT.601 on the sRGB values, Y = 0.299 R + 0.587 G + 0.114 B: the grey value zxing-cpp, ZBar
(through Pillow's "L") and OpenCV (cvtColor) binarize. For each luma difference three families are
drawn (square modules, 4-module quiet zone, the service's renderer): a grey on white, black on a grey,
and two hue pairs (seeded random hues, the darker as foreground) with that difference; each is drawn
for two redirect URLs (two masks), so a pair's rate is over 2 x 18 variants x 3 readers.
"""
import argparse
import colorsys
import random
import time

from scanning import READERS, drawn, rates

URLS = ["https://qr.exaroutes.com/r/Ab3xK9pQ", "https://qr.exaroutes.com/r/Zq7Lm2Xw"]
DIFFERENCES = [40, 55, 70, 85, 100, 115, 130, 150, 175, 255]
#: pairs worth a row of their own: the review's accepted-but-failing pair, and the pair with the lowest
#: WCAG ratio (2.04:1) that passes the luma floors (found by a search over a 15-step RGB grid)
NAMED = [(30, "review's hue pair", "#451374", "#F70201"),
         (130, "lowest WCAG passing", "#00D200", "#FFFFF0")]


def luma(colour):
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.299 * r + 0.587 * g + 0.114 * b


def wcag_ratio(first, second):
    """WCAG 2.x contrast ratio, reported beside luma for comparison (the old rule: at least 3:1)."""
    def luminance(colour):
        linear = [(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
                  for c in (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def grey(level):
    level = max(0, min(255, round(level)))
    return f"#{level:02X}{level:02X}{level:02X}"


def with_luma(hue, saturation, target):
    """A colour of this hue and saturation whose luma is `target` (bisection on HLS lightness)."""
    low, high = 0.0, 1.0
    for _ in range(30):
        mid = (low + high) / 2
        r, g, b = colorsys.hls_to_rgb(hue, mid, saturation)
        colour = "#" + "".join(f"{round(c * 255):02X}" for c in (r, g, b))
        if luma(colour) < target:
            low = mid
        else:
            high = mid
    return colour


def hue_pair(difference, seed):
    """A dark and a light colour of different hues, `difference` apart in luma (None if impossible)."""
    rng = random.Random(seed)
    for _ in range(200):
        dark_luma = rng.uniform(0, 255 - difference)
        dark = with_luma(rng.random(), rng.uniform(0.6, 1), dark_luma)
        light = with_luma(rng.random(), rng.uniform(0.6, 1), dark_luma + difference)
        if abs(luma(light) - luma(dark) - difference) < 3:
            return dark, light
    return None


def pairs():
    yield from NAMED
    for difference in DIFFERENCES:
        yield difference, "grey on white", grey(255 - difference), "#FFFFFF"
        if difference == 255:
            return                  # black on white: every family is the same pair
        yield difference, "black on grey", "#000000", grey(difference)
        for seed in (1, 2):
            found = hue_pair(difference, difference * 10 + seed)
            if found:
                yield difference, f"hues {seed}", *found


def main(argv=None):
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args(argv)
    started = time.perf_counter()
    print("| luma diff | family | foreground | background | WCAG ratio | clean | "
          + " | ".join(READERS) + " | pooled |")
    print("|---|---|---|---|---|---|" + "---|" * len(READERS) + "---|")
    for _difference, family, foreground, background in pairs():
        passed = dict.fromkeys(READERS, 0)
        clean_ok = 0
        for url in URLS:
            found, clean = rates(drawn(url, {"foregroundColor": foreground, "backgroundColor": background})[0], url)
            clean_ok += all(clean.values())
            for name in READERS:
                passed[name] += found[name]
        total = 18 * len(URLS)
        pooled = sum(passed.values()) / (total * len(READERS))
        print(f"| {luma(background) - luma(foreground):.0f} | {family} | {foreground} | {background} | "
              f"{wcag_ratio(foreground, background):.2f} | {clean_ok}/{len(URLS)} | "
              + " | ".join(f"{passed[r]}/{total}" for r in READERS) + f" | {100 * pooled:.0f}% |", flush=True)
    print(f"\n({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
