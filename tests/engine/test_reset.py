"""reset and restore: nothing of the student's is overwritten without a backup."""

from __future__ import annotations

from tito_jupyter import engine
from tito_jupyter.engine.context import Context

NB = "modules/01_numbers/01_numbers.ipynb"


def run(course_dir, command, args=None):
    return engine.run(command, args or {}, Context(project=course_dir))


def test_reset_needs_a_starting_point_and_touches_nothing_without_one(course_dir):
    before = (course_dir / NB).read_bytes()
    result = run(course_dir, "module.reset", {"module": "01", "yes": True})
    assert not result.ok and "no starting point" in result.summary
    assert (course_dir / NB).read_bytes() == before


def test_reset_asks_first_then_backs_up_and_restores(course_dir):
    assert run(course_dir, "system.setup").ok
    original = (course_dir / NB).read_bytes()
    (course_dir / NB).write_bytes(original.replace(b"return a + b", b"return 42  # my work"))
    mine = (course_dir / NB).read_bytes()

    dry = run(course_dir, "module.reset", {"module": "01"})
    assert dry.ok and dry.data["dry_run"] and "--yes" in dry.summary
    assert (course_dir / NB).read_bytes() == mine

    done = run(course_dir, "module.reset", {"module": "01", "yes": True})
    assert done.ok and (course_dir / NB).read_bytes() == original
    backup_id = done.data["backup"]["id"]
    listed = run(course_dir, "module.backups", {"module": "01"}).data["backups"]
    assert [b["id"] for b in listed] == [backup_id]
    assert (course_dir / listed[0]["path"]).read_bytes() == mine

    restored = run(course_dir, "module.restore", {"module": "01", "backup": backup_id})
    assert restored.ok and (course_dir / NB).read_bytes() == mine
    # Restoring backed up what it replaced, too: nothing was lost either way.
    assert len(run(course_dir, "module.backups", {"module": "01"}).data["backups"]) == 2


def test_restore_of_an_unknown_backup_lists_what_exists(course_dir):
    result = run(course_dir, "module.restore", {"module": "01", "backup": "nope"})
    assert not result.ok and "none yet" in result.summary and result.exit_code == 2
