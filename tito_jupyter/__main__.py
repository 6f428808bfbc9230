"""``python -m tito_jupyter`` and the ``tito`` command: the command-line face, started lightly, ended quickly.

``tito --help`` is answered from its remembered text (:mod:`.cli_help`), and ``tito export --all`` with nothing to
export from its receipt (:mod:`.noop_export`), before the face, its parser and the command table are imported;
anything else, or an answer not remembered, goes to :func:`tito_jupyter.cli.main`. :func:`run` (the ``tito``
script, ``python -m``) then ends the process without the interpreter's teardown (:func:`exit_now`).
"""

import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    from . import cli_help

    text = cli_help.recall(argv)
    if text is not None:
        cli_help.write_out(text)
        return 0
    from . import noop_export

    answered = noop_export.answer(argv)
    if answered is not None:
        return answered
    from .cli import main as cli_main

    return cli_main(argv)


def exit_now(code: int) -> None:
    """End this process with ``code`` once what its end must do is done, without freeing every object one by one.

    The interpreter's teardown (every module, every object, several collections) took more CPU than some commands'
    work: 40 ms after a full export (nbdev, fastcore and IPython loaded), 25 ms after ``tito complete``, 6 ms of
    ``tito list``; the operating system takes the memory back at once. What the teardown does that matters is done
    first, in its order: the other threads a command left running are waited for, the ``atexit`` handlers run
    (the process guard is told, coverage saves its data, logging flushes), and the standard streams are flushed.
    Open files need nothing more: tito writes through ``with`` blocks, atomic replaces and ``os.write``.
    """
    import atexit
    import os
    import threading

    # The interpreter's own first two steps of its teardown (CPython's names for them; elsewhere, its teardown).
    wait_for_threads = getattr(threading, "_shutdown", None)
    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)
    if wait_for_threads is None or run_exit_handlers is None:
        sys.exit(code)
    wait_for_threads()  # thread pools told to end first (their own exit hooks), then every non-daemon thread joined
    run_exit_handlers()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that went away (`tito list | head -1`), a stream closed
            pass
    os._exit(code)


def run() -> None:
    """The ``tito`` command: :func:`main`, then :func:`exit_now` with its exit code."""
    try:
        code = main()
    except SystemExit as exc:  # a usage error or a help printed by argparse on the way out
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if not isinstance(exc.code, (int, type(None))):
            print(exc.code, file=sys.stderr)
    exit_now(code)


if __name__ == "__main__":
    run()
