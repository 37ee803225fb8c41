"""Which quiet zones scan: decode rates against the margin (0-4 modules) across the three readers.
The data behind the quiet-zone policy (docs/scanning.md "Quiet zone"; BENCHMARKS.md "Quiet zone").
Run by hand:

    .venv/bin/python scripts/bench/margins.py

Three ways a code meets a reader, for two redirect URLs x three shapes (square, rounded, circle) x
error correction L, M and H:
- "as served": the image alone, as a screen or a downloaded file shows it, drawn at a size that is a
  whole number of modules (8 px each): no spare pixels around the quiet zone, which the renderer adds
  only when `size` is not a multiple of the module count (at 512 px a margin-0 code gets ~0.5 module);
- "busy page": that image pasted on a page of dark blocks (seeded), as when it is printed into a
  layout with text or pictures right up to its edge: the margin is then the only quiet zone;
- "degraded": the 18 degradations of scanning.py (on a white page).
"""
import argparse
import random
import time

from PIL import Image, ImageDraw

from scanning import READERS, drawn, reads, variants

URLS = ["https://qr.exaroutes.com/r/Ab3xK9pQ", "https://qr.exaroutes.com/r/Zq7Lm2Xw"]
SHAPES = ["square", "rounded", "circle"]
MARGINS = [0, 1, 2, 3, 4]
LEVELS = ["L", "M", "H"]


def busy_page(picture, seed):
    """The picture in the middle of a page twice its size covered with dark blocks up to its edge."""
    rng = random.Random(seed)
    side = picture.width * 2
    page = Image.new("RGB", (side, side), (255, 255, 255))
    draw = ImageDraw.Draw(page)
    for _ in range(3000):                 # text-like strokes, about half the page dark
        x, y = rng.randrange(side), rng.randrange(side)
        w, h = rng.randrange(4, 40), rng.randrange(4, 12)
        draw.rectangle((x, y, x + w, y + h), fill=(rng.randrange(0, 90),) * 3)
    offset = (side - picture.width) // 2
    page.paste(picture, (offset, offset))
    return page


def main(argv=None):
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args(argv)
    started = time.perf_counter()
    print("| margin | as served (of 18) | busy page (of 18) | degraded on a white page (of 108) | degraded pooled |")
    print("|---|---|---|---|---|")
    for margin in MARGINS:
        served = dict.fromkeys(READERS, 0)
        busy = dict.fromkeys(READERS, 0)
        degraded = dict.fromkeys(READERS, 0)
        n = 0
        for url in URLS:
            for shape in SHAPES:
                for level in LEVELS:
                    picture, _ = drawn(url, {"shape": shape, "margin": margin, "errorCorrection": level})
                    for name, ok in reads(picture, url).items():
                        served[name] += ok
                    for name, ok in reads(busy_page(picture, n), url).items():
                        busy[name] += ok
                    n += 1
                # degraded: on a white page (so the page is a quiet zone too), default error correction
                for _, variant in variants(drawn(url, {"shape": shape, "margin": margin})[0]):
                    for name, ok in reads(variant, url).items():
                        degraded[name] += ok
        pooled = sum(degraded.values()) / (18 * len(URLS) * len(SHAPES) * len(READERS))
        fmt = lambda counts, total: " ".join(f"{r} {counts[r]}/{total}" for r in READERS)  # noqa: E731
        degraded_total = 18 * len(URLS) * len(SHAPES)
        print(f"| {margin} | {fmt(served, n)} | {fmt(busy, n)} | {fmt(degraded, degraded_total)} "
              f"| {100 * pooled:.0f}% |",
              flush=True)
    print(f"\n({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
