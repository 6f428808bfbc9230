"""The 2018 milestone (MLPerf-style) in full mode on these machines: the digits CNN and the small GPT profiled,
quantized, pruned and cached, with every before/after figure of its table, trained with the instructor edition of
tinytorch and run through `tito milestone run` (the student's path). The issue asks for a run of about a minute
at most on 2 cores.

Run: python bench/milestone_2018.py [--runs N]. See bench/_milestone.py for how it is measured.
"""

from __future__ import annotations

import argparse

from _milestone import bench_milestone

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=1)
    bench_milestone("2018_mlperf", "2018 MLPerf-style profile, quantize, prune, cache", 0.9, parser.parse_args().runs,
                    accuracy_key="int8_accuracy")
