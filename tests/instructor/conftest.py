"""The instructor's commands, run for real by these tests, each give the data openapi.json's ResultData names for
their command (tests/openapi_contract.py): a field the engine adds without adding it to tito_jupyter/contracts.py
fails the test that ran it."""

from __future__ import annotations

import pytest
from openapi_contract import holding_engine_results


@pytest.fixture(autouse=True, scope="module")
def _results_held_to_the_document():
    """Module-wide, so that the module-scoped fixtures which run a whole term (test_nbgrader.py's) are held too:
    pytest sets up an autouse fixture before the others of its scope."""
    with pytest.MonkeyPatch.context() as patch:
        yield holding_engine_results(patch)
