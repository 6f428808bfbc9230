"""What git knows about the course: which of a set of files are exactly as in the last commit.

A release hands out files; an instructor's working tree also holds work in progress (a notebook half way
through next year's solution, a draft next to it). :func:`committed_state` tells the files that match the
last commit from those that do not (changed since the commit, never committed, or ignored by git), so a
release can refuse to publish what was never meant to be published.

Only the ``git`` command answers these questions (its index, ignore rules, attributes and filters are its own);
tito looks for a ``.git`` entry itself only when git is missing, to tell "no repository" from "cannot check".
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import TitoError

#: Seconds a git command may take before tito gives up on it (a network filesystem, a huge repository).
GIT_TIMEOUT = 120


class GitUnavailable(TitoError):
    """The course is in a git repository, but git cannot say what is committed (missing, or refusing)."""

    kind = "git_unavailable"


@dataclass
class CommittedState:
    """How a set of files (paths relative to the course root, with ``/``) compares with the last commit."""

    #: The work tree's top folder; None when the course is not in a git repository at all.
    repository: Path | None = None
    #: The last commit (HEAD), None when there is none yet.
    commit: str | None = None
    changed: list[str] = field(default_factory=list)  # committed, but different now (or staged)
    new: list[str] = field(default_factory=list)  # never committed, not ignored
    ignored: list[str] = field(default_factory=list)  # never committed, and ignored by git
    #: Committed, but git is told not to compare them (assume-unchanged, skip-worktree): unknown, so not clean.
    unwatched: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.changed or self.new or self.ignored or self.unwatched)

    def describe(self) -> list[str]:
        """One phrase per file that is not as committed, saying how (sorted by path)."""
        since = f"commit {self.commit[:12]}" if self.commit else "the last commit (there is none yet)"
        notes = {path: f"changed since {since}" for path in self.changed}
        notes.update({path: "never committed" for path in self.new})
        notes.update({path: "ignored by git, so never committed" for path in self.ignored})
        notes.update({path: "git is told not to compare it (assume-unchanged or skip-worktree)"
                      for path in self.unwatched if path not in notes})
        return [f"{path} ({notes[path]})" for path in sorted(notes)]


def repository_of(folder: Path) -> Path | None:
    """The folder holding ``.git`` for ``folder`` (itself or a parent), without running git; None if none."""
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def _run_git(root: Path, *argv: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    # GIT_DIR and friends (set by hooks, or by hand) would point git at another repository than the course's.
    env = {k: v for k, v in os.environ.items() if k not in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE")}
    # Reading the status must not take git's index lock: an editor or a shell prompt may be running git too.
    env.update(GIT_OPTIONAL_LOCKS="0", LC_ALL="C", LANGUAGE="C")
    try:
        return subprocess.run(["git", "-C", str(root), *argv], input=stdin, capture_output=True, text=True,
                              encoding="utf-8", errors="surrogateescape", env=env, timeout=GIT_TIMEOUT)
    except FileNotFoundError:
        raise GitUnavailable(f"{root} is in a git repository, but git is not installed") from None
    except subprocess.TimeoutExpired:
        raise GitUnavailable(f"`git {argv[0]}` took more than {GIT_TIMEOUT} s in {root}") from None


def _git(root: Path, *argv: str, stdin: str | None = None, ok_codes: tuple[int, ...] = (0,)) -> str:
    done = _run_git(root, *argv, stdin=stdin)
    if done.returncode not in ok_codes:
        raise GitUnavailable(f"`git {argv[0]}` failed in {root}: {_last_line(done)}")
    return done.stdout


def _last_line(done: subprocess.CompletedProcess) -> str:
    return (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]


def _top_folder(root: Path) -> Path | None:
    """The work tree ``root`` is in, as git sees it; None when git says it is in none."""
    if shutil.which("git") is None:
        if repository_of(root) is None:
            return None
        raise GitUnavailable(f"{root} is in a git repository, but git is not installed")
    done = _run_git(root, "rev-parse", "--show-toplevel")
    if done.returncode == 0:
        return Path(done.stdout.strip())
    if "not a git repository" in done.stderr:
        return None
    raise GitUnavailable(f"`git rev-parse` failed in {root}: {_last_line(done)}")


def _nul_list(text: str) -> list[str]:
    return [item for item in text.split("\0") if item]


def committed_state(root: Path, files: list[Path]) -> CommittedState:
    """Compare ``files`` (inside ``root``) with the last commit of the repository ``root`` is in."""
    root = Path(os.path.abspath(root))
    top = _top_folder(root)
    if top is None:
        return CommittedState()
    # Not resolved: a file that is a link must be judged as the link git sees, not as what it points to.
    wanted = {Path(os.path.abspath(path)).relative_to(root).as_posix() for path in files}
    head = _git(root, "rev-parse", "--verify", "--quiet", "HEAD", ok_codes=(0, 1)).strip() or None
    committed: set[str] = set()
    changed: set[str] = set()
    unwatched: set[str] = set()
    if head:
        # These answers are relative to the course root (git is run there), like ``wanted``.
        committed = set(_nul_list(_git(root, "ls-tree", "-r", "-z", "--name-only", "HEAD")))
        changed = set(_nul_list(_git(root, "diff", "--no-ext-diff", "HEAD", "--name-only", "-z", "--relative")))
        # `git diff` trusts files flagged assume-unchanged (tag in lower case) or skip-worktree (S) unseen.
        for entry in _nul_list(_git(root, "ls-files", "-v", "-z")):
            tag, _, path = entry.partition(" ")
            if tag.islower() or tag == "S":
                unwatched.add(path)
    never = sorted(wanted - committed)
    ignored: set[str] = set()
    if never:  # exit code 1: none of them is ignored
        ignored = set(_nul_list(_git(root, "check-ignore", "-z", "--stdin", stdin="\0".join(never) + "\0",
                                     ok_codes=(0, 1))))
    return CommittedState(repository=top, commit=head, changed=sorted(wanted & committed & changed),
                          new=[p for p in never if p not in ignored], ignored=sorted(ignored & wanted),
                          unwatched=sorted(wanted & committed & unwatched))
