"""The 2017 milestone of this repository's course, as a student meets it: locked until module 13 is complete, then
run on the student's package through `tito milestone run`, reaching both of its targets (full length; the run is
marked milestone_run: CI's test jobs run it, the README's test command leaves it out, as issue #13 allows)."""

from __future__ import annotations

import pytest
from course_copies import fresh_clone, instructor_package, milestones, run

pytestmark = pytest.mark.slow(80)  # about 80 s on 2 shared cores: started early


def test_the_transformer_milestone_is_locked_until_module_13(tmp_path):
    """The 2017 milestone needs module 13: a fresh clone has it locked, naming the modules it still needs."""
    root = fresh_clone(tmp_path)
    before = milestones(root)["2017_transformer"]
    assert before["state"] == "locked"
    assert before["requires"][-1] == "13_transformers", "the GPT imports module 13, so it needs it"
    assert {"12_attention", "13_transformers"} <= set(before["missing_modules"])


@pytest.mark.milestone_run  # half a minute of training: CI's test jobs run it, the README's command leaves it out
def test_the_transformer_milestone_reverses_and_writes(tmp_path):
    """With the instructor package (as `tito complete` of modules 01-13 exports it) the 2017 milestone reaches both
    targets: 99 % exact reversals, and a GPT whose loss on the sonnets falls below 1.0."""
    root = fresh_clone(tmp_path)
    instructor_package(root)
    result = run(root, "milestone.run", {"milestone": "2017"})
    assert result.ok, result.summary
    metrics = result.data["metrics"]
    assert metrics["reversal_accuracy"] >= 0.99 and metrics["loss"] < 1.0, metrics
    assert any(line.strip().startswith("| Shall I") for line in result.data["output"]), "a sample of its writing"
