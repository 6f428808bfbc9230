"""When a file has changed: its stamp, and how old a change must be before the stamp can be trusted.

The one rule for tito's caches (the course's facts, the help text, the no-op export's receipt): a file is taken
for unchanged while its identity, size, modification and change times are all the same. A file changed within
:data:`RACY_SECONDS` is not trusted yet: a second change in the same clock tick could keep every one of them
(git's "racy" case). Plain ``os`` only: the CLI's quickest paths use it before anything else is imported.
"""

from __future__ import annotations

import os
import time

RACY_SECONDS = 2.0


def stamp(path: str | os.PathLike) -> list[int] | None:
    """``path``'s identity, size, modification and change times (nanoseconds); None if it is not there."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]


def settled(changed_ns: int, now: float | None = None) -> bool:
    """Whether a change at ``changed_ns`` (a stamp's time) is older than the racy window, so its stamp counts."""
    return (time.time() if now is None else now) - changed_ns / 1e9 > RACY_SECONDS
