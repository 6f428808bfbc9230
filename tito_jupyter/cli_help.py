"""``tito --help``, remembered: the text argparse printed last time, written again while nothing it depends on changed.

It sits beside the command-line face, not in it, so that :func:`tito_jupyter.__main__.main` can answer ``tito
--help`` before the face, its parser and the command table are imported (most of what is left of its time).

Building the whole parser for the top-level help (every command of the table, argparse's look-ups of translations
and of the terminal's width) was most of ``tito --help``. The text depends only on what the key below holds, so a
remembered text is the text argparse would print now:

- tito's own code (the command table, the parser, the epilog): every ``.py`` file of the package, by identity,
  size and times (an edit, a reinstall, an upgrade all change one);
- the plugins that could add commands: the distributions in every ``sys.path`` folder, by name, and each one's
  ``entry_points.txt`` by the same stamps (an install or uninstall changes the names, an edit the file). A text is remembered
  only when no distribution registers a tito command, and never when something other than the path's finder
  can list distributions (then only ``importlib.metadata`` knows);
- the Python, the whole environment (``COLUMNS``, ``LANG``, ...: argparse's width and language), ``sys.path``,
  and the size of the terminal on stdout.

A file changed within :data:`.file_stamps.RACY_SECONDS` of being read is not trusted (its next edit could keep its size and
times: git's "racy" case), and nothing is remembered then. The memo is only a cache: it lives in the user's cache
folder (``$TITO_CACHE_DIR``, else ``$XDG_CACHE_HOME/tito-jupyter``, else ``~/.cache/tito-jupyter``), is written
atomically, and a folder that cannot be read or written just means no memo. ``TITO_HELP_MEMO=0`` turns it off.
"""

from __future__ import annotations

import json
import os
import sys

from .file_stamps import settled, stamp

FILE = "help-memo.json"
#: Raise when what is stored changes shape or meaning.
FORMAT = 2
#: Texts kept (the newest): a few terminal widths and environments.
KEEP = 4
#: The command lines that print the top-level help and nothing else.
REQUESTS = (["--help"], ["-h"])
_PACKAGE = os.path.dirname(os.path.realpath(__file__))


def cache_folder() -> str | None:
    """Where the memo lives: ``$TITO_CACHE_DIR`` if set, else the user's cache folder. Paths are plain strings here,
    since importing pathlib alone would be a tenth of the help's time."""
    if os.environ.get("TITO_CACHE_DIR"):
        folder = os.environ["TITO_CACHE_DIR"]
    else:
        folder = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"),
                              "tito-jupyter")
    return folder if os.path.isabs(folder) else None


def _code_stamps() -> list:
    """Every Python file of the tito_jupyter package, with its stamp."""
    stamps = []
    for folder, dirs, names in os.walk(_PACKAGE):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not d.startswith("."))
        stamps.extend([os.path.join(folder, n), stamp(os.path.join(folder, n))] for n in sorted(names)
                      if n.endswith(".py"))
    return stamps


def _plugin_stamps() -> list | None:
    """The stamps of what decides which plugins are installed, or None if only importlib.metadata can tell."""
    from importlib.machinery import PathFinder

    if any(hasattr(f, "find_distributions") and f is not PathFinder for f in sys.meta_path):
        return None
    stamps: list = []
    for entry in sys.path:
        folder = entry or "."
        try:
            with os.scandir(folder) as listing:
                names = sorted(e.name for e in listing if e.name.endswith((".dist-info", ".egg-info")))
        except NotADirectoryError:
            stamps.append([folder, stamp(folder)])  # a zip on sys.path: its stamp
            continue
        except OSError:
            stamps.append([folder, None])
            continue
        # The names themselves, listed afresh each time: a distribution installed or removed changes them.
        stamps.append([folder, [[n, stamp(os.path.join(folder, n, "entry_points.txt"))] for n in names]])
    return stamps


def _terminal() -> list:
    """What argparse's width comes from besides the environment: the size of the terminal on stdout."""
    try:
        return list(os.get_terminal_size(sys.__stdout__.fileno()))
    except (AttributeError, ValueError, OSError):
        return []


def _freshest(stamps) -> int:
    """The newest modification time (ns) among nested stamps."""
    newest = 0
    for item in stamps:
        if isinstance(item, list) and len(item) == 4 and all(isinstance(x, int) for x in item):
            newest = max(newest, item[2])
        elif isinstance(item, list):
            newest = max(newest, _freshest(item))
    return newest


class HelpMemo:
    """The remembered help text for one request (``tito --help`` or ``tito -h``) in this process's circumstances."""

    def __init__(self, argv: list[str], folder: str, plugins: list):
        self.path = os.path.join(folder, FILE)
        code = _code_stamps()
        import hashlib

        circumstances = json.dumps([FORMAT, argv, sys.version, sys.executable, sys.path,
                                    sorted(os.environ.items()), _terminal(), code, plugins])
        # Stored as a digest: the environment may hold secrets (tokens, keys), which have no place in a cache file.
        self._key = hashlib.sha256(circumstances.encode("utf-8", "surrogatepass")).hexdigest()
        self._trusted = settled(_freshest([code, plugins]))

    def _entries(self) -> dict:
        try:
            with open(self.path, encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, ValueError):
            return {}
        if not (isinstance(data, dict) and data.get("format") == FORMAT and isinstance(data.get("texts"), dict)):
            return {}
        return {k: v for k, v in data["texts"].items() if isinstance(v, str)}

    def recall(self) -> str | None:
        """The text argparse printed for this key, or None."""
        return self._entries().get(self._key) if self._trusted else None

    def remember(self, text: str) -> None:
        """Keep ``text`` for this key (atomically; never an error: it is only a cache)."""
        from .commands import _no_plugins_installed

        if not self._trusted or not text or not _no_plugins_installed():
            return
        entries = self._entries()
        entries.pop(self._key, None)
        entries[self._key] = text
        while len(entries) > KEEP:
            del entries[next(iter(entries))]
        from . import platform

        platform.write_cache_json(self.path, {"format": FORMAT, "texts": entries}, make_parents=True)


def for_request(argv: list[str]) -> HelpMemo | None:
    """The memo for ``argv`` if it asks for the top-level help alone and a memo can answer; else None."""
    if argv not in REQUESTS or os.environ.get("TITO_HELP_MEMO") == "0":
        return None
    folder = cache_folder()
    plugins = _plugin_stamps()
    if folder is None or plugins is None:
        return None
    return HelpMemo(list(argv), folder, plugins)


def recall(argv: list[str]) -> str | None:
    """The remembered help text for ``argv``, or None (another request, no memo, or nothing remembered)."""
    memo = for_request(argv)
    return memo.recall() if memo is not None else None


def write_out(text: str) -> None:
    """Write to stdout; a reader that went away (`tito --json status | head`) is not the command's failure."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        # Python would trip over the same pipe again when it flushes at exit: send the rest nowhere.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
