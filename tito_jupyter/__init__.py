"""tito-jupyter: build TinyTorch one module at a time, from the notebook, the sidebar or the terminal.

Importing this package must stay cheap: the CLI's ``--help`` and ``module list`` go through it.
Everything heavy is imported inside the code that needs it.
"""

from ._version import __version__

__all__ = ["__version__"]


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    """Where the prebuilt JupyterLab sidebar lives, for `jupyter labextension develop`."""
    return [{"src": "labextension", "dest": "tito-jupyter"}]
