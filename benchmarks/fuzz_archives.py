"""The long fuzz run: many mutated copies of every real archive sample, read as
`chatwiki import` reads them (see tests/hostile/mutate.py).

    python benchmarks/fuzz_archives.py --per-sample 2000 --seed 1

CI runs the same mutator, bounded (tests/hostile/test_fuzz_archives.py). Every crash
is printed once per signature with the sample and seed that replay it; add it to
FOUND in that test, with a hand-written test of its own, when you fix it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.hostile.mutate import run  # noqa: E402 - after the path is set

SAMPLES = ROOT.parent / "shared" / "fixtures" / "real"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-sample", type=int, default=500, help="mutations per sample")
    parser.add_argument("--seed", type=int, default=1, help="a different seed, other inputs")
    parser.add_argument("--samples", type=Path, default=SAMPLES, help="real archive samples")
    args = parser.parse_args()
    if not args.samples.is_dir():
        print(f"no samples at {args.samples}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    tally = run(args.samples, args.per_sample, args.seed)
    took = time.perf_counter() - started
    print(
        f"{tally.tried:,} mutated archives in {took:.1f} s: {tally.read:,} read, "
        f"{tally.refused:,} refused with a message, {len(tally.crashes or {})} crash signature(s)"
    )
    for crash, (sample, seed) in sorted((tally.crashes or {}).items()):
        print(f"  {crash}: replay with sample {sample!r}, seed {seed}")
    return 1 if tally.crashes else 0


if __name__ == "__main__":
    sys.exit(main())
