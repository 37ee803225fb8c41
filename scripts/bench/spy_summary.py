"""Summarize a py-spy profile in collapsed-stack form (`py-spy record --format raw`), as the benches write it.

Prints each function's inclusive share of the samples (the function or anything it called was on the
stack), largest first, so "where do the seconds go" reads off one table.

Usage: .venv/bin/python scripts/bench/spy_summary.py PROFILE.txt [--top 40] [--match exaroutes]
"""
import argparse
import collections
import re

FRAME = re.compile(r"^(?P<function>.*?) \((?P<file>[^()]*?)(?::\d+)?\)$")


def frame_name(frame):
    """`function (path/module.py)` without the line number, so one function is one row."""
    found = FRAME.match(frame.strip())
    if found is None:
        return frame.strip()
    path = found["file"].split("site-packages/")[-1].split("/w2-perf/")[-1]
    return f"{found['function']} ({path})"


def inclusive_shares(lines):
    """(total samples, Counter of samples per function with that function anywhere on the stack)."""
    total = 0
    counts = collections.Counter()
    for line in lines:
        stack, _, number = line.rstrip().rpartition(" ")
        if not stack or not number.isdigit():
            continue
        samples = int(number)
        total += samples
        for name in {frame_name(frame) for frame in stack.split(";")}:
            counts[name] += samples
    return total, counts


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("profile")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--match", default="", help="only functions whose row contains this text")
    args = parser.parse_args(argv)
    with open(args.profile) as f:
        total, counts = inclusive_shares(f)
    print(f"{total} samples")
    shown = [(name, n) for name, n in counts.most_common() if args.match in name][:args.top]
    for name, n in shown:
        print(f"{100 * n / total:6.1f}%  {name}")


if __name__ == "__main__":
    main()
