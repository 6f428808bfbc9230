"""The 1986 milestone on these machines: wall time and held-out accuracy of an MLP on the UCI digits,
trained with the instructor edition of tinytorch, run through `tito milestone run` (the student's path).

Run: python bench/milestone_1986.py [--runs N]. See bench/_milestone.py for how it is measured.
"""

from __future__ import annotations

import argparse

from _milestone import bench_milestone

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    bench_milestone("1986_mlp_digits", "1986 MLP on digits", 0.90, parser.parse_args().runs)
