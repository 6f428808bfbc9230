"""rich's output, remembered: ``tito list`` prints what rich printed last time, without importing rich.

Importing rich and laying out a table took more than half of ``tito list`` and ``tito status`` (and of a no-op
``tito export``), and their output is most often the same as the last time. So the renderer does not talk to
rich directly: it talks to a :class:`LazyConsole`, which describes each ``print`` (its markup strings and the
:class:`Table` calls, recorded as data) and looks the description up in ``.tito/render-memo.json``. Found: the
text rich wrote for it is written again, byte for byte. Not found: rich is imported, renders it (in a capture,
so the text can be kept), and the text is written and remembered.

Why a remembered text is the text rich would write now: the key is a digest of everything rich's output
depends on, not a guess at what matters:

- the description of the call (every string, every table cell and option, the print's own arguments),
- the console's options (stream, colours, highlighting, wrapping),
- the whole environment (rich reads ``TERM``, ``COLORTERM``, ``NO_COLOR``, ``FORCE_COLOR``, ``COLUMNS``, ...),
- whether each standard stream is a terminal and its size, the streams' encodings, the platform,
- which rich (its files' identity, size and times: an upgrade replaces them) and which Python.

Anything else (a live progress display) goes to rich itself. The memo is only a cache: unreadable, of another
shape, or in a folder that cannot be written, it is ignored; it keeps the newest :data:`KEEP` texts and is
written atomically. ``TITO_RENDER_MEMO=0`` turns it off (and it is off on Windows).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from pathlib import Path

from .. import platform

FILE = "render-memo.json"
#: Raise when what is stored changes shape or meaning.
FORMAT = 1
#: Texts kept (the newest): a few commands, in a few terminal sizes.
KEEP = 64
#: rich's files whose identity stands for "which rich" (a reinstall or upgrade rewrites every one).
_RICH_FILES = ("__init__.py", "console.py", "table.py", "text.py", "markup.py", "box.py", "segment.py", "style.py")


# rich.markup.escape's rule, here so that building a description never imports rich (rich.markup imports most
# of it). A test holds the two to the same output on awkward strings.
_ESCAPE = re.compile(r"(\\*)(\[[a-z#/@][^[]*?])")


def escape(markup: str) -> str:
    """``markup`` with what rich would read as a tag escaped (as :func:`rich.markup.escape`)."""
    markup = _ESCAPE.sub(lambda m: f"{m.group(1)}{m.group(1)}\\{m.group(2)}", markup)
    if markup.endswith("\\") and not markup.endswith("\\\\"):
        return markup + "\\"
    return markup


class Table:
    """A rich ``Table`` as the calls that build it: recorded as data, built in rich only when it must be drawn."""

    def __init__(self, *args, **kwargs):
        self._calls: list = [["init", list(args), kwargs]]

    def add_column(self, *args, **kwargs) -> None:
        self._calls.append(["add_column", list(args), kwargs])

    def add_row(self, *cells, **kwargs) -> None:
        self._calls.append(["add_row", list(cells), kwargs])

    def describe(self) -> list:
        return self._calls

    def __rich__(self):
        """What rich draws when it is handed this stand-in itself (a plain rich Console, as in tests)."""
        return self.build()

    def build(self):
        from rich.table import Table as RichTable

        (_, args, kwargs), *calls = self._calls
        table = RichTable(*args, **kwargs)
        for name, call_args, call_kwargs in calls:
            getattr(table, name)(*call_args, **call_kwargs)
        return table


def _describe(obj):
    if isinstance(obj, str):
        return ["text", obj]
    if isinstance(obj, Table):
        return ["table", obj.describe()]
    raise TypeError(f"cannot describe {type(obj).__name__} for the render memo")


def _rich(obj):
    return obj.build() if isinstance(obj, Table) else obj


def _rich_identity() -> list | None:
    """Which rich is installed, without importing it: its files' identity, size and times."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("rich")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(list(spec.submodule_search_locations)[0])
    stamps: list = [str(folder)]
    for name in _RICH_FILES:
        try:
            st = (folder / name).stat()
        except OSError:
            return None
        stamps.append([st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns])
    return stamps


def _terminal_facts() -> list:
    """What rich reads about the process's streams: terminal or not, size, encoding."""
    import builtins

    facts = []
    for fd in (0, 1, 2):
        try:
            tty = os.isatty(fd)
        except OSError:
            tty = None
        try:
            size = list(os.get_terminal_size(fd))
        except (OSError, ValueError):
            size = None
        facts.append([tty, size])
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        facts.append([type(stream).__name__, getattr(stream, "encoding", None),
                      _safe_isatty(stream)])
    facts.append([sys.platform, list(sys.version_info), hasattr(builtins, "get_ipython")])
    return facts


def _safe_isatty(stream) -> bool | None:
    try:
        return bool(stream.isatty())
    except (AttributeError, OSError, ValueError):
        return None


class Memo:
    """The remembered texts of one course, loaded on first use and written once, at :meth:`save`."""

    def __init__(self, folder_of):
        self._folder_of = folder_of  # a callable: the course's state folder (or an error: no memo)
        self._path: Path | None = None
        self._entries: dict | None = None
        self._dirty = False
        self._base: str | None = None

    def _load(self) -> dict | None:
        if self._entries is None:
            # Off when asked, and on Windows, where rich may write to a legacy console through its API rather
            # than as the text a capture returns.
            if os.environ.get("TITO_RENDER_MEMO") == "0" or not platform.CONSOLE_IS_TEXT:
                return None
            try:
                self._path = Path(self._folder_of()) / FILE
            except Exception:  # no course (the command says so itself): no memo
                return None
            rich = _rich_identity()
            if rich is None:
                return None
            environment = sorted(os.environ.items())
            self._base = json.dumps([FORMAT, rich, environment, _terminal_facts()])
            self._entries = {}
            try:
                data = json.loads(self._path.read_text(encoding="utf-8"))
                if isinstance(data, dict) and data.get("format") == FORMAT and isinstance(data.get("texts"), dict):
                    self._entries = {k: v for k, v in data["texts"].items() if isinstance(v, str)}
            except (OSError, ValueError):
                pass
        return self._entries

    def key(self, what: list) -> str | None:
        """The digest of ``what`` (a description) in this process's view of the terminal, or None: no memo."""
        if self._load() is None:
            return None
        try:
            described = json.dumps(what, sort_keys=True)
        except (TypeError, ValueError):
            return None
        return hashlib.sha256(f"{self._base}\n{described}".encode("utf-8", "surrogatepass")).hexdigest()

    def get(self, key: str | None):
        if key is None or self._entries is None:
            return None
        found = self._entries.pop(key, None)
        if found is not None:
            self._entries[key] = found  # newest last: what is used stays
        return found

    def put(self, key: str | None, text: str) -> None:
        if key is None or self._entries is None:
            return
        self._entries[key] = text
        while len(self._entries) > KEEP:
            del self._entries[next(iter(self._entries))]
        self._dirty = True

    def save(self) -> None:
        """Write what was learned (atomically; never an error: it is only a cache)."""
        if not self._dirty or self._path is None or self._entries is None:
            return
        self._dirty = False
        platform.write_cache_json(self._path, {"format": FORMAT, "texts": self._entries})


class LazyConsole:
    """A rich ``Console`` (with these options) that is made only when the memo does not know the answer."""

    def __init__(self, memo: Memo | None, stderr: bool = False, **options):
        self._memo = memo
        self._stderr = stderr
        self._options = options
        self._real = None
        #: The texts written, in order; None once rich wrote something itself (not known as text: a print without
        #: the memo, or a live display on :attr:`real`, whose user says so).
        self.transcript: list[str] | None = []

    @property
    def real(self):
        """The rich console itself (imports rich)."""
        if self._real is None:
            from rich.console import Console

            self._real = Console(stderr=self._stderr, **self._options)
        return self._real

    def _what(self, *parts) -> list:
        return [parts, self._stderr, sorted(self._options.items())]

    @property
    def is_terminal(self) -> bool:
        key = self._memo.key(self._what("is_terminal")) if self._memo else None
        known = self._memo.get(key) if key else None
        if known is not None:
            return known == "1"
        answer = self.real.is_terminal
        if self._memo:
            self._memo.put(key, "1" if answer else "0")
        return answer

    def print(self, *objects, **kwargs) -> None:
        key = None
        if self._memo is not None:
            try:
                key = self._memo.key(self._what("print", [_describe(o) for o in objects], kwargs))
            except TypeError:
                key = None
        text = self._memo.get(key) if key else None
        if text is None:
            real = self.real
            rendered = [_rich(o) for o in objects]
            if key is None:
                self.transcript = None  # rich writes it: not known as text
                real.print(*rendered, **kwargs)
                return
            with real.capture() as captured:
                real.print(*rendered, **kwargs)
            text = captured.get()
            self._memo.put(key, text)
        if self.transcript is not None:
            self.transcript.append(text)
        stream = sys.stderr if self._stderr else sys.stdout
        stream.write(text)
        stream.flush()
