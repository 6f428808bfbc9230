"""SIGTERM and SIGHUP unwind tito like Ctrl-C: :class:`Stopped` and :func:`stop_on_signals`.

Their own small module (re-exported by :mod:`.processes`, which documents the whole rule) so that the CLI can
install them before every command without importing the process machinery (subprocess, threads) that a quick
command such as ``tito list`` never uses.
"""

from __future__ import annotations

import signal

from .. import platform


class Stopped(KeyboardInterrupt):
    """tito was asked to stop by a signal other than Ctrl-C (SIGTERM, SIGHUP, SIGBREAK); unwinds like Ctrl-C."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum  # the shell's convention for "ended by signal N"


def stop_on_signals() -> None:
    """Make SIGTERM and SIGHUP (Ctrl-Break on Windows: :data:`platform.STOP_SIGNALS`) raise :class:`Stopped` in
    the main thread, as Ctrl-C raises KeyboardInterrupt."""

    def handler(signum, _frame):
        raise Stopped(signum)

    for name in platform.STOP_SIGNALS:
        signal.signal(getattr(signal, name), handler)
