"""Server footprint: what the tito extension adds to an idle `jupyter server`: resident memory and start time.

The same `jupyter server` is started on a copy of the course with the extension on and with it off, in turn, --runs
times each (fresh runtime folders each time). Start time is from the process's start until the server answers
`GET api/status`; memory is the resident set of the server and any process it started, read after --settle
seconds of idleness (the extension's runs-folder watcher has looked by then). Targets (issue #15): at most 15 MiB
more, and no measurable start time.

Run: python bench/server_footprint.py [--runs N] [--settle S] [--markdown FILE]. Not a gate: a loaded machine
moves the figures; the medians and ranges are printed with the baseline measured in the same run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).parent))
from server_latency import BASE_URL, free_port, make_course  # noqa: E402

MIB = 2**20


def start_once(course: Path, work: Path, enabled: bool, settle: float) -> tuple[float, int, float]:
    """(seconds until the server answers, resident bytes after ``settle`` idle seconds, CPU seconds it used to
    start) of one server start. CPU time is the steadier figure on a busy machine, where waiting for a core
    dominates the wall clock."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TITO_")}
    run_dir = Path(tempfile.mkdtemp(dir=work))
    for name in ("JUPYTER_RUNTIME_DIR", "JUPYTER_DATA_DIR", "JUPYTER_CONFIG_DIR", "IPYTHONDIR"):
        (run_dir / name.lower()).mkdir()
        env[name] = str(run_dir / name.lower())
    port, token = free_port(), secrets.token_hex(16)
    command = [sys.executable, "-m", "jupyter_server", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               "--ServerApp.port_retries=0", f"--ServerApp.root_dir={course}", f"--ServerApp.base_url={BASE_URL}",
               f"--IdentityProvider.token={token}",
               f"--ServerApp.jpserver_extensions={{'tito_jupyter': {enabled}}}"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    started = time.perf_counter()
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                connection.request("GET", f"{BASE_URL}api/status", headers={"Authorization": f"token {token}"})
                if connection.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("the server did not start")
            time.sleep(0.01)
        seconds = time.perf_counter() - started
        cpu = psutil.Process(server.pid).cpu_times()
        cpu_seconds = cpu.user + cpu.system
        if enabled:  # the extension answers (it loaded): a run without it would measure nothing
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", f"{BASE_URL}tito/api/version", headers={"Authorization": f"token {token}"})
            assert connection.getresponse().status == 200, "the tito extension did not load"
        time.sleep(settle)
        proc = psutil.Process(server.pid)
        resident = sum(p.memory_info().rss for p in [proc, *proc.children(recursive=True)])
        return seconds, resident, cpu_seconds
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="starts of each kind (default 5)")
    parser.add_argument("--settle", type=float, default=3.0, help="idle seconds before memory is read")
    parser.add_argument("--markdown", metavar="FILE", help="append the table to FILE (e.g. $GITHUB_STEP_SUMMARY)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="tito-bench-footprint-"))
    try:
        course, _ = make_course(work, "repo")
        start_once(course, work, True, 0)  # untimed: the first start compiles and caches bytecode
        figures: dict[bool, list[tuple[float, int, float]]] = {True: [], False: []}
        for _ in range(args.runs):
            for enabled in (True, False):
                figures[enabled].append(start_once(course, work, enabled, args.settle))
        on, off = figures[True], figures[False]
        rss_delta = [(a[1] - b[1]) / MIB for a, b in zip(on, off)]
        start_delta = [(a[0] - b[0]) * 1000 for a, b in zip(on, off)]
        cpu_delta = [(a[2] - b[2]) * 1000 for a, b in zip(on, off)]
        rss_on, rss_off = statistics.median(f[1] for f in on) / MIB, statistics.median(f[1] for f in off) / MIB
        start_on, start_off = statistics.median(f[0] for f in on) * 1000, statistics.median(f[0] for f in off) * 1000
        cpu_on, cpu_off = statistics.median(f[2] for f in on) * 1000, statistics.median(f[2] for f in off) * 1000
        added_rss, added_start = statistics.median(rss_delta), statistics.median(start_delta)
        added_cpu = statistics.median(cpu_delta)
        print(f"{args.runs} starts each, in turn; {os.cpu_count()} cores")
        print(f"resident memory, idle: with tito {rss_on:.1f} MiB, without {rss_off:.1f} MiB: tito adds "
              f"{added_rss:.1f} MiB ({min(rss_delta):.1f}..{max(rss_delta):.1f}); target <= 15 MiB: "
              f"{'met' if added_rss <= 15 else 'NOT met'}")
        print(f"start until api/status answers: with tito {start_on:.0f} ms, without {start_off:.0f} ms: tito adds "
              f"{added_start:.0f} ms ({min(start_delta):.0f}..{max(start_delta):.0f})")
        print(f"CPU time to start: with tito {cpu_on:.0f} ms, without {cpu_off:.0f} ms: tito adds {added_cpu:.0f} ms "
              f"({min(cpu_delta):.0f}..{max(cpu_delta):.0f})")
        if args.markdown:
            with open(args.markdown, "a", encoding="utf-8") as out:
                out.write(f"\n### Server footprint ({args.runs} starts each)\n\n| | with tito | without (same run) | "
                          f"tito adds (min..max) | target |\n|---|---:|---:|---:|---|\n"
                          f"| resident memory, idle | {rss_on:.1f} MiB | {rss_off:.1f} MiB | {added_rss:.1f} MiB "
                          f"({min(rss_delta):.1f}..{max(rss_delta):.1f}) | ≤ 15 MiB "
                          f"{'✅' if added_rss <= 15 else '⚠️ not met'} |\n"
                          f"| start | {start_on:.0f} ms | {start_off:.0f} ms | {added_start:.0f} ms "
                          f"({min(start_delta):.0f}..{max(start_delta):.0f}) | not measurable |\n"
                          f"| CPU time to start | {cpu_on:.0f} ms | {cpu_off:.0f} ms | {added_cpu:.0f} ms "
                          f"({min(cpu_delta):.0f}..{max(cpu_delta):.0f}) | |\n")
        print(json.dumps({"bench": "server_footprint", "runs": args.runs,
                          "rss_mib": {"with": round(rss_on, 1), "without": round(rss_off, 1),
                                      "added": round(added_rss, 1)},
                          "start_ms": {"with": round(start_on), "without": round(start_off),
                                       "added": round(added_start)},
                          "start_cpu_ms": {"with": round(cpu_on), "without": round(cpu_off),
                                           "added": round(added_cpu)}}))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
