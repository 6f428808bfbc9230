"""Install Python packages into this environment as pip would, with uv where it can: for scripts/setup.sh and
Binder's postBuild.

    python scripts/install.py [pip install's arguments: -e ".[test]", --no-build-isolation, --no-cache-dir, ...]

uv (a PyPI wheel) installs the same packages from the same places in about a third of pip's time (the test
environment's 220 packages: 13 s against 34 s on a 2-core machine), but it reads none of pip's configuration
(pip.conf, PIP_* variables), where a machine keeps its package indexes, local wheels, constraints and
certificate. This reads pip's effective settings (``pip config list``: PIP_* variables, then ``[install]``, then
``[global]``) and gives uv the same; pip itself installs when that cannot be done faithfully (a setting uv has no
equivalent for, such as a proxy), when uv cannot be had, or when uv fails. Bytecode is compiled, as pip does.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys

#: pip settings that change nothing about what is installed from where (``config-file``: PIP_CONFIG_FILE, whose
#: settings are read with the rest).
NEUTRAL = {"config-file", "default-timeout", "timeout", "retries", "disable-pip-version-check", "no-cache-dir", "progress-bar",
           "quiet", "verbose", "no-input", "root-user-action", "no-python-version-warning", "require-virtualenv"}
RANK = {":env:": 3, "install": 2, "global": 1}
#: pip's spelling of an install argument where uv's differs.
UV_SPELLING = {"--no-cache-dir": "--no-cache"}


def pip_settings() -> dict[str, str]:
    """pip's effective settings by option name (``find-links``: ``/opt/wheels``)."""
    listing = subprocess.run([sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True,
                             check=True).stdout
    chosen: dict[str, tuple[int, str]] = {}
    for line in listing.splitlines():
        key, sep, raw = line.partition("=")
        section, _, name = key.partition(".")
        if sep and section in RANK and RANK[section] >= chosen.get(name, (0, ""))[0]:
            chosen[name] = (RANK[section], str(ast.literal_eval(raw)))
    return {name: value for name, (_, value) in chosen.items()}


def uv_command(settings: dict[str, str], args: list[str]) -> tuple[list[str], dict[str, str]] | None:
    """uv's command line and environment for pip's ``settings`` and install ``args``, or None when a setting has no
    faithful uv equivalent."""
    options = ["--index-strategy", "unsafe-best-match"]  # pip takes the best version from any index; so does this
    env = dict(os.environ)
    for name, value in settings.items():
        if name in NEUTRAL:
            continue
        flag = {"index-url": "--index-url", "extra-index-url": "--extra-index-url", "find-links": "--find-links",
                "constraint": "--constraint"}.get(name)
        if flag:
            for word in value.split():
                options += [flag, word]
        elif name == "no-index":
            if value.lower() in ("1", "true", "yes", "on"):
                options.append("--no-index")
        elif name == "cert":
            env["SSL_CERT_FILE"] = value
        else:
            return None
    command = [sys.executable, "-m", "uv", "pip", "install", "--python", sys.executable, "--compile-bytecode",
               *options, *(UV_SPELLING.get(arg, arg) for arg in args)]
    return command, env


def have_uv() -> bool:
    try:
        import uv  # noqa: F401
    except ImportError:
        return subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                               "uv"]).returncode == 0
    return True


def main(args: list[str]) -> int:
    try:
        planned = uv_command(pip_settings(), args) if have_uv() else None
    except (subprocess.CalledProcessError, ValueError, SyntaxError):
        planned = None
    if planned is not None:
        command, env = planned
        if subprocess.run(command, env=env).returncode == 0:
            return 0
        print("uv could not install these; pip installs them instead.", file=sys.stderr)
    return subprocess.run([sys.executable, "-m", "pip", "install", "--disable-pip-version-check", *args]).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
