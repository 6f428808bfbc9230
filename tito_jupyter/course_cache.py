"""What the course reader learned from each file, kept in ``.tito/course-cache.json`` between tito runs.

``tito list``, ``tito status`` and a no-op ``tito export`` need a few facts from every notebook (title, export
targets, ``tinytorch`` imports, inline tests) and every checkpoint (its question, its imports). Parsing 19
notebooks' JSON and every checkpoint's Python for those facts was most of their time; the facts only change
when the file does.

Trust rules, because a stale fact would show a student the wrong course:

- an entry is used only while its file has the identity, size, mtime and ctime it had when it was read
  (an edit, ``touch`` with an old mtime but a new size, a rename, a file replaced by another: all miss);
- a file modified within :data:`.file_stamps.RACY_SECONDS` of being read is not stored (a second edit in the same clock
  tick would keep its size and times: git's "racy" case);
- the cache names its format and the tito version: any other, or a file that is not this shape, is ignored
  and rebuilt; it is written atomically (a temporary file, then ``os.replace``) and only when it changed, and
  a folder that cannot be written just means no cache.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

from . import platform
from ._version import __version__
from .file_stamps import settled, stamp

FILE = "course-cache.json"
#: Raise when the facts stored for a file change shape or meaning.
FORMAT = 2


class FactsCache:
    """Facts about the course's files by path relative to the course, each valid for one version of the file."""

    def __init__(self, root: Path):
        self.root = root
        self.path = root / ".tito" / FILE
        self._entries = self._load()
        self._dirty = False
        self._lock = threading.Lock()  # the server shares one course between request threads

    def _load(self) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not (isinstance(data, dict) and data.get("format") == FORMAT and data.get("tito") == __version__
                and isinstance(data.get("files"), dict)):
            return {}
        return {k: v for k, v in data["files"].items()
                if isinstance(v, dict) and isinstance(v.get("stamp"), list) and "facts" in v}

    def facts(self, path: Path, kind: str, compute, keys: tuple[str, ...]):
        """``compute(path)``'s facts (a dict with ``keys``) for this version of ``path``: from the cache while the
        file is unchanged and the stored facts have every key (a cache from an older build may lack one)."""
        key = f"{kind}:{path.relative_to(self.root).as_posix()}"
        before = stamp(path)
        entry = self._entries.get(key)
        if before is not None and entry is not None and entry["stamp"] == before \
                and isinstance(entry["facts"], dict) and all(k in entry["facts"] for k in keys):
            return entry["facts"]
        facts = compute(path)
        after = stamp(path)
        # Stored only if the file did not change while it was read and is not so fresh that it could change
        # again without its times showing it.
        with self._lock:
            if before is not None and before == after and settled(before[2]):
                self._entries[key] = {"stamp": before, "facts": facts}
                self._dirty = True
            elif self._entries.pop(key, None) is not None:
                self._dirty = True
        return facts

    def save(self) -> None:
        """Write the cache if anything new was learned (atomically; never an error: it is only a cache)."""
        with self._lock:
            if not self._dirty:
                return
            data = {"format": FORMAT, "tito": __version__, "files": self._entries}
            self._dirty = False
            # .tito/ is made if missing: on a fresh clone `tito list` is often the first run
            platform.write_cache_json(self.path, data)
