"""The 1998 milestone of this repository's course, as a student meets it: locked until the modules it imports are
complete, then run on the student's package through `tito milestone run`.

The LeNet-style CNN is held to the issue's bar: at least 98 % on the held-out digits, beating the 1986 MLP on the
very same digits. The run is marked milestone_run: CI's test jobs run it, the README's test command leaves it out
(issue #13 allows it).
"""

from __future__ import annotations

import pytest
from course_copies import fresh_clone, milestones, run

pytestmark = pytest.mark.slow(40)  # about 40 s on 2 shared cores: started early


def test_the_lenet_milestone_is_locked_until_spatial(tmp_path):
    root = fresh_clone(tmp_path)
    before = milestones(root)["1998_lenet_digits"]
    assert before["state"] == "locked"
    assert before["requires"][-1] == "09_spatial", "the CNN imports module 09, so it needs it"
    assert "09_spatial" in before["missing_modules"]


@pytest.mark.milestone_run  # training two networks: CI's test jobs run it, the README's command leaves it out
def test_the_lenet_milestone_is_ready_once_spatial_is_complete_then_beats_the_mlp(tmp_path):
    root = fresh_clone(tmp_path)
    ids = [m["id"] for m in run(root, "module.list").data["modules"]]
    completed = run(root, "module.complete", {"modules": [i for i in ids if i <= "09_spatial"]})
    assert completed.ok, completed.summary
    assert milestones(root)["1998_lenet_digits"]["state"] == "ready"

    mlp = run(root, "milestone.run", {"milestone": "1986"})
    cnn = run(root, "milestone.run", {"milestone": "1998"})
    assert mlp.ok and cnn.ok, (mlp.summary, cnn.summary)
    assert cnn.data["metrics"]["accuracy"] >= 0.98, cnn.data["metrics"]
    assert cnn.data["metrics"]["accuracy"] > mlp.data["metrics"]["accuracy"], (cnn.data["metrics"], mlp.data["metrics"])
    assert milestones(root)["1998_lenet_digits"]["state"] == "achieved"
