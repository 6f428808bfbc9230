"""Submissions graded per minute: `tito nbgrader autograde` against nbgrader's own `autograde`, same submissions.

Builds a throwaway nbgrader course from one real module of this repository (default 01_tensor), makes N
submissions from the instructor's notebook (every k-th one with one function left unwritten, so grades
vary), then grades them twice in this session: with tito (a pool of workers, each exporting the submission
and running the module's tests in a pytest subprocess) and with `nbgrader autograde` (a kernel per
submission executing the notebook, one submission after another). Both run as commands in a fresh
process, as an instructor runs them. Prints both rates, their ratio, and whether the two agree on every grade.

    python bench/autograde_throughput.py [--submissions 12] [--workers 2] [--module 01_tensor]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tito_jupyter import engine  # noqa: E402
from tito_jupyter.course import Course  # noqa: E402
from tito_jupyter.engine.context import Context  # noqa: E402


def make_course(root: Path, module_id: str) -> None:
    """A course with one module of the repository (and the modules it builds on, for the reference package)."""
    course = Course.load(REPO)
    module = course.module(module_id)
    from tito_jupyter.engine.grading import prerequisites

    for m in [*prerequisites(course, module), module]:
        shutil.copytree(m.folder, root / "modules" / m.folder.name)
        tests = REPO / "tests" / "modules" / m.id
        if tests.is_dir():
            shutil.copytree(tests, root / "tests" / "modules" / m.id)
    (root / "tinytorch" / "core").mkdir(parents=True)
    for init in ("tinytorch/__init__.py", "tinytorch/core/__init__.py"):
        (root / init).write_text("")


def make_submissions(nbgrader: Path, assignment: str, count: int) -> None:
    """The instructor's answers; submission i leaves solution cell (i mod n) unwritten when i % 3 == 1."""
    source = json.loads((nbgrader / "source" / assignment / f"{assignment}.ipynb").read_text())
    handed_out = json.loads((nbgrader / "release" / assignment / f"{assignment}.ipynb").read_text())
    stubs = {c["metadata"]["nbgrader"]["grade_id"]: c["source"] for c in handed_out["cells"]
             if c["metadata"].get("nbgrader", {}).get("solution")}
    ids = sorted(stubs)
    for i in range(count):
        nb = json.loads(json.dumps(handed_out))
        answers = {c["metadata"]["nbgrader"]["grade_id"]: c["source"] for c in source["cells"]
                   if c["metadata"].get("nbgrader", {}).get("solution")}
        unwritten = ids[i % len(ids)] if i % 3 == 1 else None
        for cell in nb["cells"]:
            grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
            if grade_id in answers and grade_id != unwritten:
                cell["source"] = "\n".join(line for line in "".join(answers[grade_id]).split("\n")
                                           if "BEGIN SOLUTION" not in line and "END SOLUTION" not in line)
        folder = nbgrader / "submitted" / f"student{i:03d}" / assignment
        folder.mkdir(parents=True)
        (folder / f"{assignment}.ipynb").write_text(json.dumps(nb))


def scores(db_url: str, assignment: str) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(db_url) as gb:
        return {s.student.id: float(s.score) for s in gb.assignment_submissions(assignment)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=12)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--module", default="01_tensor")
    parser.add_argument("--keep", action="store_true", help="keep the course folder")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="tito-bench-autograde-"))
    root = tmp / "course"
    make_course(root, args.module)
    ctx = Context(project=root)
    for command, kwargs in (("nbgrader.init", {}), ("nbgrader.generate", {"modules": [args.module]})):
        result = engine.run(command, kwargs, ctx)
        if not result.ok:
            print(result.summary, file=sys.stderr)
            return 1
    nbgrader = root / "nbgrader"
    assignment = Course.load(root).module(args.module).id
    make_submissions(nbgrader, assignment, args.submissions)
    db_url = f"sqlite:///{nbgrader}/gradebook.db"

    # Both graders run as an instructor runs them: a command in a fresh process (each imports nbgrader).
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "tito_jupyter", "--json", "--project", str(root), "nbgrader",
                           "autograde", assignment, "--workers", str(args.workers)], capture_output=True, text=True)
    tito_seconds = time.perf_counter() - started
    if done.returncode != 0:
        print(done.stdout[-2000:], done.stderr[-2000:], file=sys.stderr)
        return 1
    ours = json.loads(done.stdout)
    tito_scores = {s["student"]: s["score"] for s in ours["data"]["submissions"]}

    shutil.rmtree(nbgrader / "autograded")
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    prerequisites = nbgrader / "tito" / assignment / "prerequisites"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(prerequisites), env.get("PYTHONPATH", "")) if p)
    started = time.perf_counter()
    done = subprocess.run([str(bin_dir / "nbgrader"), "autograde", assignment, "--force"], cwd=nbgrader, env=env,
                          capture_output=True, text=True)
    nbgrader_seconds = time.perf_counter() - started
    if done.returncode != 0:
        print(done.stderr[-2000:], file=sys.stderr)
        return 1
    their_scores = scores(db_url, assignment)

    n = args.submissions
    tito_rate = 60.0 * n / tito_seconds
    nbgrader_rate = 60.0 * n / nbgrader_seconds
    agree = sum(1 for s in tito_scores if their_scores.get(s) == tito_scores[s])
    max_score = ours["data"]["max_score"]
    print(f"module {assignment}: {n} submissions, {max_score:g} points each "
          f"(mean {sum(tito_scores.values()) / n:.2f}), {os.cpu_count()} CPUs")
    print(f"  tito nbgrader autograde ({args.workers} workers): {tito_seconds:6.1f} s  {tito_rate:6.1f} submissions/min")
    print(f"  nbgrader autograde (its own):          {nbgrader_seconds:6.1f} s  {nbgrader_rate:6.1f} submissions/min")
    print(f"  ratio: tito grades {nbgrader_seconds / tito_seconds:.1f}x as many per minute; "
          f"grades agree on {agree} of {n} submissions")
    print(json.dumps({"module": assignment, "submissions": n, "workers": args.workers,
                      "tito_seconds": round(tito_seconds, 2), "nbgrader_seconds": round(nbgrader_seconds, 2),
                      "tito_per_minute": round(tito_rate, 1), "nbgrader_per_minute": round(nbgrader_rate, 1),
                      "ratio": round(nbgrader_seconds / tito_seconds, 2), "agree": agree}))
    if args.keep:
        print(f"course kept in {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0 if agree == n else 2


if __name__ == "__main__":
    sys.exit(main())
