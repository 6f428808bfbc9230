"""How fast does the CLI start? `tito --help` and `tito module list` against `python -c pass`.

Run: python bench/cli_start.py [--runs N]. Prints medians and the ratio to a bare interpreter start, measured
in the same session. Target: a full `--help` in under 100 ms on the project's 2-core machines.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _timing import median_ms, time_command  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    env = dict(os.environ, TITO_PROJECT=str(REPO))
    py = sys.executable
    baseline = median_ms(time_command([py, "-c", "pass"], args.runs, env))
    results = {"python -c pass": baseline}
    for label, argv in (("tito --help", ["--help"]), ("tito module list", ["module", "list"]),
                        ("tito --json module list", ["--json", "module", "list"])):
        time_command([py, "-m", "tito_jupyter", *argv], 2, env)  # warm the file cache
        results[label] = median_ms(time_command([py, "-m", "tito_jupyter", *argv], args.runs, env))
    width = max(map(len, results))
    for label, ms in results.items():
        print(f"{label:<{width}}  {ms:7.1f} ms   x{ms / baseline:5.2f} of python -c pass")
    print(json.dumps({"bench": "cli_start", "runs": args.runs, "median_ms": {k: round(v, 1) for k, v in results.items()},
                      "help_under_100ms": results["tito --help"] < 100}))


if __name__ == "__main__":
    main()
