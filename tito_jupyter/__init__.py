"""tito-jupyter: build TinyTorch one module at a time, from the notebook, the sidebar or the terminal.

Importing this package must stay cheap: the CLI's ``--help`` and ``module list`` go through it.
Everything heavy is imported inside the code that needs it.
"""

from ._version import __version__

__all__ = ["__version__"]


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    """Where the prebuilt JupyterLab sidebar lives, for `jupyter labextension develop`."""
    return [{"src": "labextension", "dest": "tito-jupyter"}]


def _jupyter_server_extension_points() -> list[dict]:
    """The Jupyter server extension (imported only when a server loads it)."""
    from .server import TitoExtension

    return [{"module": "tito_jupyter.server", "app": TitoExtension}]


def load_ipython_extension(ipython) -> None:
    """``%load_ext tito_jupyter``: register the ``%tito`` magic."""
    from .magics import load_ipython_extension as load

    load(ipython)


def unload_ipython_extension(ipython) -> None:
    from .magics import unload_ipython_extension as unload

    unload(ipython)
