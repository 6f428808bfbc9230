"""tito's Jupyter server extension: the REST API under ``{base_url}tito/api/`` (see docs/rest-api.md and
``openapi.json`` here), jobs that run the engine in subprocesses, and live job events on the server's event bus.

Enabled at install by ``jupyter-config/jupyter_server_config.d/tito_jupyter.json``.
"""

from .extension import TitoExtension

__all__ = ["TitoExtension"]
