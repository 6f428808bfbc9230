"""``%tito`` in real kernels executing a real notebook through nbclient.

1. A kernel started by a real ``jupyter server`` (a subprocess, under a JupyterHub-like base URL) for a notebook
   session, as JupyterLab starts it: the magic is there without ``%load_ext``, finds the server from its
   environment and the notebook from the server's session, and runs ``complete`` as a job of that server.
2. A kernel started by plain nbclient, no server: the magic runs the engine in the kernel.

Both give the engine's own result, the same as running the engine directly.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest
from course_factory import NUMBERS_EXPORT, make_course, numbers_notebook
from nbclient import NotebookClient
from subprocess_jupyter import Server, isolated_jupyter_env

from tito_jupyter.engine import Context, run

NOTEBOOK = "modules/01_numbers/01_numbers.ipynb"
BASE_URL = "/user/student/"
SHOW_RESULT = "import json, tito_jupyter.magics as m\nprint('RESULT ' + json.dumps(m.last_result()))"
UNSAVED = NUMBERS_EXPORT.replace("return a + b", "return a * b")
VOLATILE = {"duration", "seconds", "time", "at"}


def normalised(node):
    """A result without what differs from run to run (timings)."""
    if isinstance(node, dict):
        return {k: normalised(v) for k, v in node.items() if k not in VOLATILE}
    if isinstance(node, list):
        return [normalised(v) for v in node]
    return node


@pytest.fixture
def reference(tmp_path) -> dict:
    """``complete 01_numbers`` run by the engine directly, on an identical course."""
    root = make_course(tmp_path / "reference")
    return normalised(run("module.complete", {"modules": ["01_numbers"]}, Context(project=root)).to_dict())


@pytest.fixture
def jupyter_env(tmp_path, monkeypatch) -> dict:
    """Jupyter's and IPython's folders in temp dirs, and no server or session left over from the caller."""
    env = isolated_jupyter_env(tmp_path)
    for name in ("JUPYTER_RUNTIME_DIR", "JUPYTER_DATA_DIR", "JUPYTER_CONFIG_DIR", "IPYTHONDIR"):
        monkeypatch.setenv(name, env[name])  # nbclient's kernel manager in this process too
    return env


def notebook_with(*extra: str) -> nbformat.NotebookNode:
    """The saved module notebook, as a student runs it top to bottom, then ``extra`` code cells."""
    nb = numbers_notebook()
    for i, source in enumerate(extra):
        nb["cells"].append({"cell_type": "code", "id": f"extra-{i}", "metadata": {}, "source": source,
                            "outputs": [], "execution_count": None})
    return nbformat.from_dict(nb)


def text_of(cell) -> str:
    parts = []
    for output in cell.outputs:
        if output.output_type == "stream":
            parts.append(output.text)
        elif "data" in output:
            parts.append(output.data.get("text/plain", ""))
    return "".join(parts)


def result_printed(cell) -> dict:
    line = next(line for line in text_of(cell).splitlines() if line.startswith("RESULT "))
    return json.loads(line[len("RESULT "):])


# -- 1. a kernel of a real server --------------------------------------------------------------------------


@pytest.fixture
def server(course_dir, jupyter_env, tmp_path):
    running = Server(course_dir, jupyter_env, tmp_path / "server.log", BASE_URL)
    try:
        running.wait_until_ready()
        yield running
    finally:
        running.stop()


async def _execute_in(kernel_connection: Path, nb: nbformat.NotebookNode) -> None:
    from jupyter_client.asynchronous import AsyncKernelClient

    kc = AsyncKernelClient()
    kc.load_connection_file(str(kernel_connection))
    # A client that is not the kernel's manager judges the kernel by its heartbeat, and calls it dead after one
    # missed beat of 1 s: on a machine busy with two test workers a starting kernel misses one. Be patient.
    kc.hb_channel.time_to_dead = 10.0
    kc.start_channels()
    try:
        await kc.wait_for_ready(timeout=60)
        client = NotebookClient(nb, timeout=120)
        client.kc = kc
        for index, cell in enumerate(nb.cells):
            await client.async_execute_cell(cell, index)
    finally:
        kc.stop_channels()


def run_in_own_loop(coroutine) -> None:
    """``asyncio.run`` in a thread of its own, whatever loop this thread may hold."""
    errors = []

    def target():
        try:
            asyncio.run(coroutine)
        except BaseException as exc:  # re-raised in the test's thread
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


def test_in_a_kernel_the_server_started_complete_runs_as_a_job_of_that_server(server, course_dir, reference):
    # A notebook session, as JupyterLab opens one: the server starts the kernel (JPY_SESSION_NAME, TITO_SERVER_*).
    session = server.call("POST", "api/sessions", {"path": NOTEBOOK, "name": "01_numbers.ipynb",
                                                   "type": "notebook", "kernel": {"name": "python3"}})
    connection = server.runtime_dir / f"kernel-{session['kernel']['id']}.json"
    deadline = time.monotonic() + 30
    while not connection.exists():
        assert time.monotonic() < deadline, "the kernel's connection file never appeared"
        time.sleep(0.1)
    nb = notebook_with(
        "import os\nprint(os.environ['TITO_SERVER_URL'], get_ipython().find_line_magic('tito') is not None)",
        "%tito complete",
        SHOW_RESULT,
        UNSAVED,  # the student changes the export cell in a new cell and runs it, without saving
        "%tito complete",
        SHOW_RESULT,
    )
    run_in_own_loop(_execute_in(connection, nb))
    cells = nb.cells[len(numbers_notebook()["cells"]):]

    assert text_of(cells[0]).split() == [server.url, "True"]  # found the server; %tito loaded by itself
    assert "✓ 01_numbers is complete." in text_of(cells[1])  # the panel's text form, as nbconvert would show
    result = result_printed(cells[2])
    assert normalised(result) == reference

    jobs = server.call("GET", "tito/api/jobs")["jobs"]
    assert [(j["command"], j["source"], j["notebook"], j["state"]) for j in jobs] == [
        ("module.complete", "magic", NOTEBOOK, "succeeded")]  # one job, from this notebook's session
    assert jobs[0]["result"] == result

    refused = result_printed(cells[5])
    assert refused["error"]["kind"] == "unsaved_changes"
    assert "Save the notebook (Ctrl-S) first: cell 4 changed since the last save" in refused["summary"]
    assert len(server.call("GET", "tito/api/jobs")["jobs"]) == 1  # nothing was sent to the server
    assert "return a + b" in (course_dir / "tinytorch/core/numbers.py").read_text()
    progress = json.loads((course_dir / ".tito/progress.json").read_text())
    assert progress["modules"]["01_numbers"]["completed_at"]


# -- 2. plain nbclient, no server --------------------------------------------------------------------------


def test_without_a_server_the_kernel_runs_the_engine_itself(course_dir, jupyter_env, reference):
    nb = notebook_with("import os\nprint('TITO_SERVER_URL' in os.environ)", "%tito complete", SHOW_RESULT)
    client = NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(course_dir / "modules/01_numbers")}})
    client.execute(env=jupyter_env)
    cells = nb.cells[len(numbers_notebook()["cells"]):]
    assert text_of(cells[0]).strip() == "False"
    assert "✓ 01_numbers is complete." in text_of(cells[1])
    assert normalised(result_printed(cells[2])) == reference  # the same result as through the server
    progress = json.loads((course_dir / ".tito/progress.json").read_text())
    assert progress["modules"]["01_numbers"]["completed_at"]
    assert (course_dir / "tinytorch/core/numbers.py").is_file()


def test_the_installed_configuration_enables_the_server_extension(jupyter_env):
    listed = subprocess.run([sys.executable, "-m", "jupyter", "server", "extension", "list"], env=jupyter_env,
                            capture_output=True, text=True, timeout=120)
    output = listed.stdout + listed.stderr
    assert "tito_jupyter" in output and "enabled" in output, output
    assert "tito_jupyter 0" in output and "OK" in output.split("tito_jupyter 0", 1)[1].splitlines()[0], output


def test_interrupting_the_magic_cancels_its_job_on_the_server(server, course_dir):
    from course_factory import notebook, write_notebook

    from tito_jupyter.commands import find
    from tito_jupyter.magics.runners import ServerClient, ServerRunner

    write_notebook(course_dir / NOTEBOOK, notebook(
        ("markdown", "# Numbers"), ("code", "#| default_exp core.numbers"), ("code", NUMBERS_EXPORT),
        ("code", "def test_unit_add():\n    while True:\n        pass\n")))

    def interrupt_once_tests_run(event):  # Kernel > Interrupt while the student's loop spins
        if event["event"] == "collected":
            raise KeyboardInterrupt

    runner = ServerRunner(ServerClient(server.url, server.token))
    result = runner.run(find("module.complete"), {"modules": ["01"]}, None, interrupt_once_tests_run)
    assert result["ok"] is False and result["error"]["kind"] == "cancelled"
    [job] = server.call("GET", "tito/api/jobs")["jobs"]
    assert job["state"] == "cancelled" and job["source"] == "magic"


# -- 3. the sidebar's save announcement -------------------------------------------------------------------


def test_the_sidebars_save_announcement_reaches_the_kernel_ahead_of_the_next_cell(jupyter_env):
    """The sidebar opens a ``tito.save`` comm, then JupyterLab sends the ``%tito`` cell: on one shell channel the
    kernel hears the comm first, so the magic knows a save is under way (and waits for it)."""
    import uuid

    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3", env=jupyter_env, startup_timeout=120)
    try:
        for attempt in range(3):
            path = f"modules/01_numbers/ünïcode {attempt}.ipynb"
            opened = kc.session.msg("comm_open", {"comm_id": uuid.uuid4().hex, "target_name": "tito.save",
                                                  "data": {"path": path,
                                                           "last_modified": "2026-11-30T10:56:00.250000Z"}})
            kc.shell_channel.send(opened)  # no wait: the cell follows at once, as in the browser
            shown = []
            reply = kc.execute_interactive(
                "import tito_jupyter.magics as m\ns = m._installed[id(get_ipython())].take_save_under_way()\nprint(s.path, s.saved_before)",
                timeout=120, output_hook=lambda msg: shown.append(msg["content"].get("text", "")))
            assert reply["content"]["status"] == "ok", reply["content"]
            assert "".join(shown).strip() == f"{path} 1796036160.25"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_the_magic_hears_of_a_quiet_jobs_end_by_long_polls_not_by_looking_again_and_again(server, course_dir):
    """A job quiet for seconds (a slow test) costs one held request, and its end reaches the magic at once: no
    answer comes back empty, so no look waited for nothing and no end waited for the next look (#15)."""
    from course_factory import notebook, write_notebook

    from tito_jupyter.commands import find
    from tito_jupyter.magics.runners import ServerClient, ServerRunner

    write_notebook(course_dir / NOTEBOOK, notebook(
        ("markdown", "# Numbers"), ("code", "#| default_exp core.numbers"), ("code", NUMBERS_EXPORT),
        ("code", "def test_unit_add():\n    import time\n    time.sleep(3)\n")))
    answers: list[tuple[str, int, str]] = []

    class CountingClient(ServerClient):  # the real client, and a note of every job answer it gets
        def call(self, method, path, body=None, timeout=None):
            status, answer = super().call(method, path, body, timeout)
            if method == "GET" and "/jobs/" in path:
                answers.append((path, len(answer.get("events", [])), answer.get("state")))
            return status, answer

    runner = ServerRunner(CountingClient(server.url, server.token))
    result = runner.run(find("module.complete"), {"modules": ["01"]}, None, lambda event: None)
    assert result["ok"], result["summary"]
    empty = [a for a in answers if a[1] == 0 and a[2] not in ("succeeded", "failed", "cancelled", "timed_out")]
    assert not empty, f"answers with no news: {empty}"
    assert all("wait=" in path for path, _, _ in answers)
