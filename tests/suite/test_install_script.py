"""scripts/install.py: setup.sh's installs go through uv with exactly pip's configuration, or through pip itself.

pip's settings are read by the real pip of this environment from a configuration file and PIP_* variables written
here; what uv is told must say the same (or nothing, so that pip installs).
"""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
INSTALL = runpy.run_path(str(REPO / "scripts" / "install.py"))


def _settings(tmp_path: Path, monkeypatch, config: str, env: dict[str, str]) -> dict[str, str]:
    for name in list(os.environ):
        if name.startswith("PIP_"):
            monkeypatch.delenv(name)
    (tmp_path / "pip.conf").write_text(config)
    monkeypatch.setenv("PIP_CONFIG_FILE", str(tmp_path / "pip.conf"))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return INSTALL["pip_settings"]()


def test_pips_order_of_precedence_is_kept(tmp_path, monkeypatch):
    config = ("[global]\nfind-links = /from/global\nextra-index-url = file:///one file:///two\n"
              "[install]\nfind-links = /from/install\n")
    settings = _settings(tmp_path, monkeypatch, config, {})
    assert settings["find-links"] == "/from/install"  # [install] over [global]
    assert settings["extra-index-url"] == "file:///one file:///two"
    settings = _settings(tmp_path, monkeypatch, config, {"PIP_FIND_LINKS": "/from/env"})
    assert settings["find-links"] == "/from/env"  # a PIP_* variable over both


def test_uv_is_told_what_pip_would_use():
    command, env = INSTALL["uv_command"](
        {"extra-index-url": "file:///one file:///two", "find-links": "/wheels", "constraint": "/c.txt",
         "index-url": "https://mirror.example/simple", "cert": "/certs.pem", "default-timeout": "180",
         "disable-pip-version-check": "1"},
        ["--quiet", "--no-cache-dir", "-e", ".[test]"])
    assert command[:5] == [sys.executable, "-m", "uv", "pip", "install"]
    assert command[command.index("--python") + 1] == sys.executable and "--compile-bytecode" in command
    pairs = list(zip(command, command[1:]))
    for pair in [("--extra-index-url", "file:///one"), ("--extra-index-url", "file:///two"),
                 ("--find-links", "/wheels"), ("--constraint", "/c.txt"),
                 ("--index-url", "https://mirror.example/simple"), ("--index-strategy", "unsafe-best-match")]:
        assert pair in pairs
    assert command[-4:] == ["--quiet", "--no-cache", "-e", ".[test]"]  # pip's --no-cache-dir in uv's words
    assert env["SSL_CERT_FILE"] == "/certs.pem"
    assert not any("timeout" in word or "version-check" in word for word in command)


@pytest.mark.parametrize("setting", [{"proxy": "http://proxy:3128"}, {"client-cert": "/me.pem"},
                                     {"trusted-host": "mirror.example"}])
def test_a_setting_uv_would_not_follow_leaves_the_install_to_pip(setting):
    assert INSTALL["uv_command"](setting, ["pkg"]) is None


def test_no_index_goes_along():
    command, _ = INSTALL["uv_command"]({"no-index": "true", "find-links": "/wheels"}, ["pkg"])
    assert "--no-index" in command


def test_an_install_from_a_local_folder_only_goes_through_uv(tmp_path):
    """A real install into a fresh environment: a wheel from a folder of wheels (pip configured with no index at
    all), installed by uv, with its bytecode compiled as pip would."""
    wheels = tmp_path / "wheels"
    project = tmp_path / "tiny"
    (project / "tiny_pkg").mkdir(parents=True)
    (project / "tiny_pkg" / "__init__.py").write_text("ANSWER = 42\n")
    (project / "pyproject.toml").write_text('[build-system]\nrequires = ["hatchling"]\nbuild-backend = '
                                            '"hatchling.build"\n[project]\nname = "tiny-pkg"\nversion = "1.0"\n')
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w",
                    str(wheels), str(project)], check=True)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    import uv  # a test requirement: the fresh environment borrows it rather than download it

    env["PYTHONPATH"] = str(Path(uv.__file__).parents[1])
    (tmp_path / "pip.conf").write_text(f"[global]\nno-index = true\nfind-links = {wheels}\n")
    env["PIP_CONFIG_FILE"] = str(tmp_path / "pip.conf")
    done = subprocess.run([str(venv / "bin" / "python"), str(REPO / "scripts" / "install.py"), "tiny-pkg"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "pip installs them instead" not in done.stderr
    site = subprocess.run([str(venv / "bin" / "python"), "-c", "import tiny_pkg; print(tiny_pkg.__file__)"],
                          capture_output=True, text=True, env=env, check=True).stdout.strip()
    assert Path(site).parent.joinpath("__pycache__").is_dir(), "uv did not compile the bytecode"
    installer = next((venv / "lib").glob("python*/site-packages/tiny_pkg-1.0.dist-info/INSTALLER"))
    assert installer.read_text().strip() == "uv"
