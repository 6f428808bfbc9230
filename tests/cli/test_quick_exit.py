"""The ``tito`` process ends without the interpreter's teardown (``__main__.exit_now``), having done everything the
teardown would have done that anyone can see: its output all written, its exit code, the other threads' work
finished, thread pools ended, the ``atexit`` handlers run. Real subprocesses, real pipes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

RUN_TITO = """
import atexit, sys, threading, time
from concurrent.futures import ThreadPoolExecutor
out = sys.argv[1]
atexit.register(lambda: open(out + ".atexit", "w").write("ran"))
def late():
    time.sleep(0.5)
    open(out + ".thread", "w").write("done")
threading.Thread(target=late).start()  # not a daemon: the interpreter would wait for it
pool = ThreadPoolExecutor(2)  # never shut down: its workers wait until the interpreter's exit hook ends them
pool.submit(lambda: None).result()
sys.argv = ["tito", *sys.argv[2:]]
from tito_jupyter.__main__ import run
run()
"""


def tito(env: dict, *args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tito_jupyter", *args], env=env, capture_output=True, timeout=300,
                          **kw)


def test_every_byte_of_the_output_arrives_and_the_exit_code_is_kept(tito_env):
    done = tito(tito_env, "--json", "status")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["ok"] is True  # all of it, to the end (a buffer left unflushed is lost)
    assert tito(tito_env, "module", "lst").returncode == 2
    failed = tito(tito_env, "--json", "export", "99")
    assert failed.returncode == 2 and json.loads(failed.stdout)["ok"] is False


def test_threads_pools_and_exit_handlers_end_as_the_interpreter_ends_them(tito_env, tmp_path):
    out = str(tmp_path / "mark")
    done = subprocess.run([sys.executable, "-c", RUN_TITO, out, "--json", "list"], env=tito_env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["ok"] is True
    assert open(out + ".thread").read() == "done"
    assert open(out + ".atexit").read() == "ran"


def test_a_reader_that_goes_away_is_not_an_error(tito_env):
    reader, writer = os.pipe()
    os.close(reader)  # nobody reads: the first write meets a broken pipe
    with os.fdopen(writer, "wb") as stdout:
        done = subprocess.run([sys.executable, "-m", "tito_jupyter", "--json", "status"], env=tito_env,
                              stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Exception ignored" not in done.stderr and "BrokenPipeError" not in done.stderr
