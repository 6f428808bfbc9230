"""The 1998 milestone on these machines: wall time and held-out accuracy of a LeNet-style CNN on the UCI
digits (the 1986 milestone's split), trained with the instructor edition of tinytorch, run through
`tito milestone run` (the student's path). The issue asks for at least 0.98 in at most a minute on 2 cores.

Run: python bench/milestone_1998.py [--runs N]. See bench/_milestone.py for how it is measured.
"""

from __future__ import annotations

import argparse

from _milestone import bench_milestone

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    bench_milestone("1998_lenet_digits", "1998 LeNet-style CNN on digits", 0.98, parser.parse_args().runs)
