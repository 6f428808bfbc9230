"""For test folders whose Jupyter runs in a subprocess (tests/lab, tests/magics).

pytest-jupyter's autouse fixtures make (and close) an asyncio loop and clean up an in-process ServerApp.
These tests use neither, and Playwright's sync API owns the main thread's loop: a conftest that imports
these two fixtures switches pytest-jupyter's off for its folder.
"""

import pytest


@pytest.fixture(autouse=True)
def jp_asyncio_loop():
    yield None


@pytest.fixture(autouse=True)
def jp_server_cleanup():
    yield
