"""Submissions graded per minute: `tito nbgrader autograde` (local pool, Dask) against nbgrader's own `autograde`.

Builds a throwaway nbgrader course from one real module of this repository (default 01_tensor), makes N
submissions from the instructor's notebook (every k-th one with one function left unwritten, so grades
vary), then grades them in this session: with tito on a local pool of 1 and 2 workers, with tito on a real
Dask cluster (`dask scheduler` and 1, then 2, `dask worker` processes on loopback, started before the timing:
a cluster is up before a class is graded), and with `nbgrader autograde` (a kernel per submission executing the
notebook, one after another). Every grader runs as a command in a fresh process, as an instructor runs it; the
figures are wall time of that command. Prints the rates, the seconds of grading per submission (what
docs/grading-at-scale.md multiplies out), and whether every run gives the same grades.

    python bench/autograde_throughput.py [--submissions 12] [--module 01_tensor] [--no-dask]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
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
    from tito_jupyter.engine.instructor.assignment import prerequisites

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


@contextmanager
def dask_cluster(workers: int, folder: Path):
    """A `dask scheduler` and ``workers`` `dask worker` processes (one thread each) on loopback; yields the address."""
    bin_dir = Path(sys.executable).parent
    scheduler_file = folder / f"scheduler-{workers}.json"
    procs = [subprocess.Popen([str(bin_dir / "dask"), "scheduler", "--host", "127.0.0.1", "--port", "0",
                               "--no-dashboard", "--scheduler-file", str(scheduler_file)], start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        deadline = time.monotonic() + 60
        while not (scheduler_file.is_file() and scheduler_file.stat().st_size):
            if time.monotonic() > deadline:
                raise RuntimeError("the Dask scheduler did not start within 60 s")
            time.sleep(0.2)
        address = json.loads(scheduler_file.read_text())["address"]
        for i in range(workers):
            procs.append(subprocess.Popen([str(bin_dir / "dask"), "worker", address, "--nthreads", "1", "--no-nanny",
                                           "--no-dashboard", "--host", "127.0.0.1", "--name", f"w{i}"],
                                          start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        from distributed import Client

        with Client(address, timeout="60s") as client:
            client.wait_for_workers(workers, timeout=120)
        yield address
    finally:
        for proc in procs:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()


def tito_autograde(root: Path, assignment: str, *options: str) -> tuple[float, dict]:
    """`tito nbgrader autograde` as an instructor runs it (a fresh process): (wall seconds, its JSON result)."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "tito_jupyter", "--json", "--project", str(root), "nbgrader",
                           "autograde", assignment, *options], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"tito autograde {' '.join(options)} failed: {done.stdout[-2000:]} {done.stderr[-2000:]}")
    return seconds, json.loads(done.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=12)
    parser.add_argument("--module", default="01_tensor")
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask runs")
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
    n = args.submissions

    # tito, as an instructor runs it: a command in a fresh process (it imports nbgrader), the cluster already up.
    runs: dict[str, dict] = {}
    plans = [("local, 1 worker", ["--workers", "1"], None), ("local, 2 workers", ["--workers", "2"], None)]
    if not args.no_dask:
        plans += [("Dask, 1 worker", [], 1), ("Dask, 2 workers", [], 2)]
    for name, options, dask_workers in plans:
        if dask_workers is None:
            seconds, result = tito_autograde(root, assignment, *options)
        else:
            with dask_cluster(dask_workers, tmp) as address:
                seconds, result = tito_autograde(root, assignment, "--scheduler", address)
        runs[name] = {"wall_seconds": round(seconds, 2), "grading_seconds": result["data"]["seconds"],
                      "per_minute": round(60.0 * n / seconds, 1),
                      "scores": {s["student"]: s["score"] for s in result["data"]["submissions"]},
                      "jailed": result["data"]["jailed"]}

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
    nbgrader_rate = 60.0 * n / nbgrader_seconds

    reference = runs["local, 2 workers"]["scores"]
    max_score = max(reference.values()) if reference else 0
    print(f"module {assignment}: {n} submissions (mean score {sum(reference.values()) / n:.2f}, best {max_score:g}), "
          f"{os.cpu_count()} CPUs; tito jailed: {runs['local, 2 workers']['jailed']}")
    for name, run in runs.items():
        same = "same grades" if run["scores"] == reference else "DIFFERENT grades"
        print(f"  tito {name:17s} {run['wall_seconds']:6.1f} s  {run['per_minute']:6.1f} submissions/min  "
              f"({run['grading_seconds']:.1f} s grading; {same})")
    agree = sum(1 for s in reference if their_scores.get(s) == reference[s])
    print(f"  nbgrader autograde (its own) {nbgrader_seconds:6.1f} s  {nbgrader_rate:6.1f} submissions/min  "
          f"(grades agree with tito on {agree} of {n})")
    per_submission = {name: run["grading_seconds"] / n for name, run in runs.items()}
    print("  seconds of grading per submission: "
          + ", ".join(f"{name} {value:.2f}" for name, value in per_submission.items()))
    print(json.dumps({"module": assignment, "submissions": n, "cpus": os.cpu_count(),
                      "tito": {name: {k: v for k, v in run.items() if k != "scores"} for name, run in runs.items()},
                      "nbgrader_seconds": round(nbgrader_seconds, 2), "nbgrader_per_minute": round(nbgrader_rate, 1),
                      "agree": agree}))
    if args.keep:
        print(f"course kept in {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    same_everywhere = all(run["scores"] == reference for run in runs.values())
    return 0 if agree == n and same_everywhere else 2


if __name__ == "__main__":
    sys.exit(main())
