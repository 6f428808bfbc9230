"""A third-party package that adds tito commands, written into a folder to put on ``sys.path``/``PYTHONPATH``.

It is what ``pip install tito-hello`` would leave in site-packages: the package and a dist-info folder whose
``entry_points.txt`` registers its commands in the group ``tito_jupyter.commands``.
"""

from __future__ import annotations

from pathlib import Path

DIST_NAME = "tito-hello"

PLUGIN_SOURCE = '''\
from tito_jupyter.commands import Arg, Command
from tito_jupyter.engine.results import Result

COMMANDS = [
    Command(("hello", "greet"), "Say hello to a module.", "tito_hello:greet", (Arg("module", "a module"),),
            acts_on="module", rest_action=True),
    Command(("hello", "wave"), "Wave at the course.", "tito_hello:wave"),
]


def greet(ctx, module):
    m = ctx.course.module(module)
    return Result("hello.greet", True, f"Hello, {m.title}!", {"module": m.id})


def wave(ctx):
    return Result("hello.wave", True, f"Waving at {len(ctx.course.modules)} modules.", {})
'''


def write_plugin(site: Path) -> Path:
    """Install the ``tito-hello`` plugin (commands hello.greet, also the REST action ``POST modules/{module}/greet``,
    and hello.wave) into ``site``; return ``site``."""
    (site / "tito_hello").mkdir(parents=True)
    (site / "tito_hello/__init__.py").write_text(PLUGIN_SOURCE)
    dist = site / "tito_hello-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {DIST_NAME}\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[tito_jupyter.commands]\nhello = tito_hello:COMMANDS\n")
    return site
