"""The answers of the course's quick reads, kept while nothing they read has changed.

The sidebar asks where the student stands at every refresh (``module.overview``), and so does every open sidebar
of a class's server while test jobs run; most of those answers are the one before. A command marked
``reads_only_course_and_progress`` in the command table answers from two things alone: the course's files (what
:meth:`Course.load <tito_jupyter.course.Course.load>` reads, which its signature stamps) and the progress store.
:class:`KeptAnswers` keeps each such answer with the stamps of both, and gives it again while:

- every stamp (identity, size, modification and change times of each file and folder) is the one taken before the
  answer was computed (a change made while it was computed is a new stamp, so the answer is not given again);
- none of them was modified within :data:`~tito_jupyter.file_stamps.RACY_SECONDS` (a second change in the same clock
  tick could keep every stamp: the rule of :mod:`tito_jupyter.file_stamps`, as for the course's facts).

Looking costs a stat of each of the course's files (0.3 ms on twenty modules), against 1–2 ms for the answer; a
failed answer, or one with warnings (an unreadable progress store, set aside), is never kept.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from pathlib import Path

from ..course import signature
from ..course_root import STATE_DIR
from ..file_stamps import settled, stamp
from .progress import FILE as PROGRESS_FILE

#: How many answers (a command and its arguments, on one course) are kept at most; the one asked for longest ago
#: goes first.
LIMIT = 32


def inputs(root: Path) -> tuple | None:
    """The stamps of everything a course-and-progress read reads in ``root``, or None when one of them changed
    too recently to be trusted (or the course cannot be looked at)."""
    try:
        course = signature(root)
    except OSError:
        return None
    progress = stamp(root / STATE_DIR / PROGRESS_FILE)
    modified = [entry[3] for entry in course] + ([progress[2]] if progress else [])
    if not all(settled(t) for t in modified):
        return None
    return course, progress


class KeptAnswers:
    """Answers by course, command and arguments, each with the :func:`inputs` it was computed under."""

    def __init__(self, limit: int = LIMIT):
        self._limit = limit
        self._answers: OrderedDict[tuple, tuple[tuple, str]] = OrderedDict()
        self._lock = threading.Lock()  # the server computes answers in several threads

    @staticmethod
    def _key(root: Path, command: str, args: dict | None) -> tuple:
        return str(root), command, json.dumps(args or {}, sort_keys=True, default=str)

    def _recall(self, key: tuple, now: tuple | None) -> dict | None:
        if now is None:
            return None
        with self._lock:
            kept = self._answers.get(key)
            if kept is None or kept[0] != now:
                return None
            self._answers.move_to_end(key)
        return json.loads(kept[1])  # a copy of its own: the caller may add to it

    def answer(self, root: Path, command: str, args: dict | None, compute) -> dict:
        """The kept answer of ``command`` with ``args`` on the course in ``root`` while its inputs are unchanged,
        else ``compute()`` (which returns the data of a successful answer, or raises), then kept."""
        key = self._key(root, command, args)
        before = inputs(root)
        kept = self._recall(key, before)
        if kept is not None:
            return kept
        data = compute()
        # Kept under the stamps taken before it was computed: a change made meanwhile changes them for good.
        if before is not None and not data.get("warnings"):
            with self._lock:
                self._answers[key] = (before, json.dumps(data))
                self._answers.move_to_end(key)
                while len(self._answers) > self._limit:
                    self._answers.popitem(last=False)
        return data

