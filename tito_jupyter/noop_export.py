"""``tito export --all`` with nothing to export, answered before the command-line face is built.

A no-op export has to look at every notebook and package file, and did so quickly; most of its time was
starting: argparse, the command table, the engine and their imports, several times the cost of the look itself.
So when a full run of exactly ``tito export --all`` finds every module up to date, the face leaves a receipt in
``.tito/export-receipt.json``: the stamp (identity, size, modification and change times) of every file and folder
the export's lock-free look read (:func:`tito_jupyter.engine.export.decision_inputs`, with the progress file and
the usage-log setting), and the text it printed. The next ``tito export --all`` compares those stamps first
(:func:`answer`, called by :mod:`tito_jupyter.__main__` before anything else is imported): all the same, it
prints the text again and is done; anything else, and the whole command runs as always.

Why the text is the answer the whole command would give now:

- the look reads nothing but those files and folders, so with the same stamps it reaches the same outcomes (a
  module or notebook added, renamed or removed changes a folder's stamp; an edit, even one that keeps the size and
  modification time, changes the change time; a stray temporary file in the package changes its folder's);
- the text is kept under a digest of everything else it depends on: this request, the course folder, the Python
  and its path, the whole environment, the terminal (which streams are terminals, their size and encoding), tito's
  own code and rich's (their files' stamps); a receipt copied with the course names the old folder, so it answers
  nothing there;
- the receipt is written only when its stamps were the same before and after the look that confirmed it, and
  only for files not changed within :data:`.file_stamps.RACY_SECONDS` (a second change in the same clock tick could keep every
  stamp: git's "racy" case); only for an export that printed nothing but its text (no warning, no live display),
  with the usage log off (a no-op still logs when it is on).

What it does not do: announce itself in ``.tito/runs/`` as the whole command does (a run that found nothing to
do has nothing to follow live). The receipt is only a cache: unreadable, of another shape or version, or in a
folder that cannot be written, it is ignored. ``TITO_EXPORT_RECEIPT=0`` turns it off.
"""

from __future__ import annotations

import json
import os
import sys

from . import cli_help
from .file_stamps import settled, stamp
from .course_root import STATE_DIR, at_or_above

FILE = "export-receipt.json"
#: Raise when what is stored changes shape or meaning.
FORMAT = 1
#: The command lines a receipt answers: the export of every module, rendered for people.
REQUESTS = (["export", "--all"], ["module", "export", "--all"])
#: rich's files whose stamps stand for "which rich" (a reinstall or an upgrade rewrites them).
_RICH_FILES = ("__init__.py", "console.py", "markup.py", "text.py", "style.py", "segment.py")


def wanted(argv: list[str]) -> bool:
    """True if a receipt may answer ``argv`` (and may be left by its run)."""
    return argv in REQUESTS and os.environ.get("TITO_EXPORT_RECEIPT") != "0" and "TITO_FAULT" not in os.environ


def stamps(paths) -> dict[str, list[int] | None]:
    """Each path's stamp (None for a path that is not there), by path."""
    return {os.fspath(p): stamp(os.fspath(p)) for p in paths}


def _rich_stamps() -> list | None:
    from importlib.machinery import PathFinder

    try:
        spec = PathFinder.find_spec("rich")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = list(spec.submodule_search_locations)[0]
    return [folder, *(stamp(os.path.join(folder, name)) for name in _RICH_FILES)]


def _terminal() -> list:
    """Which standard streams are terminals, their sizes and encodings: what rich's output depends on."""
    facts: list = []
    for fd in (0, 1, 2):
        try:
            size = list(os.get_terminal_size(fd))
        except (OSError, ValueError):
            size = None
        try:
            facts.append([os.isatty(fd), size])
        except OSError:
            facts.append([None, size])
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        facts.append([type(stream).__name__, getattr(stream, "encoding", None)])
    return facts


def _digest(text: str) -> str:
    try:  # the interpreter's own SHA-256: hashlib's import loads OpenSSL, a tenth of this path's time
        from _sha256 import sha256
    except ImportError:
        try:
            from _sha2 import sha256
        except ImportError:
            from hashlib import sha256
    return sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class _Circumstances:
    """Where a receipt lives, and the digest of everything its text depends on besides the course's files."""

    def __init__(self, argv: list[str], root: str):
        self.path = os.path.join(root, STATE_DIR, FILE)
        self.code = cli_help._code_stamps()
        self.rich = _rich_stamps()
        from ._version import __version__

        self.key = _digest(json.dumps([FORMAT, __version__, argv, root, sys.version, sys.executable,
                                       sys.path, sorted(os.environ.items()), _terminal(), self.code, self.rich]))


def _course() -> str | None:
    return at_or_above(os.environ.get("TITO_PROJECT") or os.getcwd())[1]


def answer(argv: list[str]) -> int | None:
    """Print the remembered answer to ``argv`` and return its exit code, if a receipt holds one for this course as
    it is now; else None (the whole command runs)."""
    if not wanted(argv):
        return None
    root = _course()
    if root is None:
        return None
    try:
        with open(os.path.join(root, STATE_DIR, FILE), encoding="utf-8") as f:
            receipt = json.load(f)
    except (OSError, ValueError):
        return None
    if not (isinstance(receipt, dict) and receipt.get("format") == FORMAT and isinstance(receipt.get("inputs"), dict)
            and receipt["inputs"] and isinstance(receipt.get("text"), str) and receipt.get("exit") == 0):
        return None
    # The course's files first (the likeliest to have changed), then the circumstances of the text.
    if stamps(receipt["inputs"]) != receipt["inputs"] or receipt.get("key") != _Circumstances(argv, root).key:
        return None
    cli_help.write_out(receipt["text"])
    return 0


def remember(argv: list[str], root, before: dict, after: dict, text: str) -> None:
    """Leave the receipt of a run of ``argv`` that found nothing to export and printed ``text``: ``before`` and
    ``after`` are the stamps of its inputs before and after the look that confirmed it (never an error: it is only
    a cache)."""
    if before != after or not before:
        return
    circumstances = _Circumstances(argv, os.fspath(root))
    trusted = [*(s for s in before.values() if s), *(s for _, s in circumstances.code if s),
               *(s for s in (circumstances.rich or [])[1:] if s)]
    newest = max(max(s[2], s[3]) for s in trusted)
    if not settled(newest):
        return
    data = {"format": FORMAT, "key": circumstances.key, "inputs": before, "text": text, "exit": 0}
    from . import platform  # the caches' one writer; the whole command ran, so its imports are here already

    platform.write_cache_json(circumstances.path, data)
