"""A real JupyterHub for the tests: real Linux users, LocalProcessSpawner, configurable-http-proxy from npm.

Isolation between students is only real with real users, so the Hub runs as root and spawns each single-user
server as its own Unix user (home folder 0700). Users are named uniquely per run (``tito-<run>-s1``) and removed
afterwards, with every process they still own. Login goes through the Hub's own login form
(``DummyAuthenticator`` with a password, a test-only authenticator that JupyterHub ships); a test service holds an
admin token so the test can mint each user an API token and watch spawns, as a course's own tooling would.

The single-user servers run this environment's ``jupyterhub-singleuser``, so they load tito's server extension,
the sidebar and ``%tito`` from where ``pip install`` put them; ``PYTHONPATH`` and ``JUPYTER_PATH`` pass through
(a worktree's tito or sidebar build is the one under test).
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import requests

VENV_BIN = Path(sys.executable).parent
SINGLEUSER = VENV_BIN / "jupyterhub-singleuser"
#: Spawns on a loaded 2-core machine can take a while: generous, but bounded.
HUB_STARTUP_SECONDS = 120
SPAWN_SECONDS = 300
PASSWORD = "tito-test-" + secrets.token_hex(8)
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False,
    },
}

HUB_CONFIG = '''# Written by tests/hub/hub_server.py for one test run.
c = get_config()  # noqa: F821
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.JupyterHub.db_url = "sqlite:///{state}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "{state}/jupyterhub_cookie_secret"
c.JupyterHub.pid_file = "{state}/jupyterhub.pid"
c.ConfigurableHTTPProxy.command = [{proxy!r}]
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api_port}"
c.ConfigurableHTTPProxy.pid_file = "{state}/proxy.pid"
c.ConfigurableHTTPProxy.should_start = True
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = {password!r}
c.Authenticator.allowed_users = set({users!r})
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [{singleuser!r}]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~/course"
c.Spawner.env_keep = ["PATH", "PYTHONPATH", "LANG", "JUPYTER_PATH"]
c.Spawner.start_timeout = {spawn_seconds}
c.Spawner.http_timeout = {spawn_seconds}
c.JupyterHub.cleanup_servers = True
c.JupyterHub.services = [{{"name": "tito-test", "api_token": {service_token!r}}}]
c.JupyterHub.load_roles = [{{
    "name": "tito-test",
    "scopes": ["admin:users", "admin:servers", "tokens", "access:servers", "read:users"],
    "services": ["tito-test"],
}}]
'''


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def proxy_command() -> str | None:
    """configurable-http-proxy: on PATH, or where scripts/setup.sh installs it (``.venv/tools``)."""
    found = shutil.which("configurable-http-proxy", path=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    if found:
        return found
    local = VENV_BIN.parent / "tools" / "node_modules" / ".bin" / "configurable-http-proxy"
    return str(local) if local.exists() else None


def paths_the_users_need() -> list[Path]:
    """What each user's server runs: this environment, its interpreter (a venv links to it), tito and
    PYTHONPATH."""
    import tito_jupyter  # an editable install: the servers and kernels import it from the project's folder

    paths = [Path(sys.prefix), Path(os.path.realpath(sys.executable)), Path(sys.base_prefix).resolve(),
             Path(tito_jupyter.__file__).parent]
    paths += [Path(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    return [p for p in paths if p.exists()]


def closed_folders() -> list[Path]:
    """Folders on the way to :func:`paths_the_users_need` that other users cannot enter (e.g. ``/root``, where
    pyenv keeps the interpreter on these machines)."""
    found: list[Path] = []
    for path in paths_the_users_need():
        resolved = path.resolve()
        for folder in [*reversed(resolved.parents), *([resolved] if resolved.is_dir() else [])]:
            if not folder.stat().st_mode & stat.S_IXOTH and folder not in found:
                found.append(folder)
    return found


@contextlib.contextmanager
def folders_opened_for_users():
    """Let other users pass through (``o+x``: enter, not list) the folders :func:`closed_folders` names, for as
    long as the Hub runs, then put their modes back. Only the traversal bit changes, and only for the run."""
    changed: list[tuple[Path, int]] = []
    try:
        for folder in closed_folders():
            mode = stat.S_IMODE(folder.stat().st_mode)
            folder.chmod(mode | stat.S_IXOTH)
            changed.append((folder, mode))
        yield [folder for folder, _ in changed]
    finally:
        for folder, mode in reversed(changed):
            folder.chmod(mode)


def problems() -> list[str]:
    """What keeps a real Hub from running here, each as a sentence saying what to do."""
    found = []
    if os.geteuid() != 0:
        found.append("The JupyterHub tests need root: they create Linux users and spawn a server as each of them "
                     "(LocalProcessSpawner). Run them as root (CI does), e.g. `sudo bash scripts/test.sh tests/hub`.")
    for tool in ("useradd", "userdel", "chown"):
        if not shutil.which(tool):
            found.append(f"`{tool}` is missing: the Hub tests create real users (Debian: apt-get install passwd).")
    if not SINGLEUSER.exists():
        found.append(f"{SINGLEUSER} is missing: pip install jupyterhub (bash scripts/test.sh installs it).")
    if not proxy_command():
        found.append("configurable-http-proxy is missing: bash scripts/setup.sh with TITO_SETUP_TEST=1 installs it "
                     "from npm into .venv/tools.")
    return found


@dataclass
class HubUser:
    name: str
    home: Path
    uid: int
    gid: int
    token: str = ""  # an API token of this user, minted by the test service once the user exists in the Hub
    session: requests.Session = field(default_factory=requests.Session)

    @property
    def course(self) -> Path:
        return self.home / "course"


def create_user(name: str) -> HubUser:
    subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", "--user-group", name], check=True,
                   capture_output=True)
    entry = pwd.getpwnam(name)
    home = Path(entry.pw_dir)
    home.chmod(0o700)  # each student's work is theirs alone
    return HubUser(name=name, home=home, uid=entry.pw_uid, gid=entry.pw_gid)


def remove_user(user: HubUser) -> None:
    """Stop every process the user still owns, then remove the user and the home folder."""
    for proc in psutil.process_iter(["uids"]):
        try:
            if proc.info["uids"] and proc.info["uids"].real == user.uid:
                proc.kill()
        except psutil.Error:
            pass
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(p.uids().real == user.uid for p in _alive()):
        time.sleep(0.2)
    subprocess.run(["userdel", "--remove", user.name], capture_output=True)
    shutil.rmtree(user.home, ignore_errors=True)


def _alive():
    for proc in psutil.process_iter():
        try:
            proc.uids()
            yield proc
        except psutil.Error:
            continue


def give(user: HubUser, path: Path) -> None:
    """Hand a folder the test prepared (as root) over to the user."""
    subprocess.run(["chown", "-R", f"{user.uid}:{user.gid}", str(path)], check=True)


def write_lab_settings(user: HubUser) -> None:
    for name, values in LAB_SETTINGS.items():
        target = user.home / ".jupyter" / "lab" / "user-settings" / name.replace("/", os.sep, 1)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values))
    give(user, user.home / ".jupyter")


def run_as(user: HubUser, args: list[str], cwd: Path | None = None, timeout: float = 600,
           env: dict | None = None) -> subprocess.CompletedProcess:
    """A command as the user, with the user's home and this environment's tools (as in a Hub terminal)."""
    environment = {
        "HOME": str(user.home), "USER": user.name, "LOGNAME": user.name, "LANG": "C.UTF-8",
        "PATH": f"{VENV_BIN}{os.pathsep}/usr/local/bin:/usr/bin:/bin",
        **({"PYTHONPATH": os.environ["PYTHONPATH"]} if os.environ.get("PYTHONPATH") else {}),
        **(env or {}),
    }
    return subprocess.run(args, cwd=cwd or user.home, env=environment, user=user.uid, group=user.gid,
                          extra_groups=[], capture_output=True, text=True, timeout=timeout)


@dataclass
class Hub:
    url: str  # the proxy's public URL, e.g. http://127.0.0.1:8000/
    state: Path
    service_token: str
    process: subprocess.Popen
    log_path: Path
    timings: dict[str, float] = field(default_factory=dict)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        """The Hub's REST API as the test service."""
        headers = {"Authorization": f"token {self.service_token}", **kwargs.pop("headers", {})}
        return requests.request(method, f"{self.url}hub/api/{path}", headers=headers, timeout=30, **kwargs)

    def login(self, user: HubUser) -> requests.Response:
        """Log in through the Hub's login form, as a browser does (the form's _xsrf cookie and field)."""
        session = user.session
        page = session.get(f"{self.url}hub/login", timeout=30)
        page.raise_for_status()
        xsrf = session.cookies.get("_xsrf", "")
        return session.post(f"{self.url}hub/login", data={"username": user.name, "password": PASSWORD,
                                                         "_xsrf": xsrf}, timeout=120)

    def wait_until_ready(self, user: HubUser) -> float:
        """Start the user's server if it is not on its way already; wait until the Hub says it is ready."""
        started = time.monotonic()
        model = self.api("GET", f"users/{user.name}").json()
        if "" not in model.get("servers", {}):
            response = self.api("POST", f"users/{user.name}/server")
            if response.status_code not in (201, 202, 400):  # 400: a spawn is already pending
                raise RuntimeError(f"the Hub would not start {user.name}'s server: {response.status_code} "
                                   f"{response.text}")
        deadline = started + SPAWN_SECONDS
        while time.monotonic() < deadline:
            server = self.api("GET", f"users/{user.name}").json().get("servers", {}).get("")
            if server and server.get("ready"):
                return time.monotonic() - started
            if self.process.poll() is not None:
                raise RuntimeError(f"the Hub exited with {self.process.returncode}:\n{self.log()[-4000:]}")
            time.sleep(0.5)
        raise RuntimeError(f"{user.name}'s server was not ready within {SPAWN_SECONDS} s:\n{self.log()[-4000:]}")

    def open_in_browser(self, caller: HubUser, owner: HubUser, path: str = "lab") -> requests.Response:
        """Open a page of ``owner``'s server with ``caller``'s Hub login, following the OAuth redirects as a
        browser does (the owner gets the server's own cookie on the way; anyone else is refused by the Hub)."""
        return caller.session.get(self.user_url(owner, path), timeout=120)

    def mint_token(self, user: HubUser) -> str:
        response = self.api("POST", f"users/{user.name}/tokens", json={"note": "tito hub test", "expires_in": 3600})
        response.raise_for_status()
        user.token = response.json()["token"]
        return user.token

    def user_url(self, owner: HubUser, path: str = "") -> str:
        return f"{self.url}user/{owner.name}/{path}"

    def as_user(self, caller: HubUser, method: str, owner: HubUser, path: str, **kwargs) -> requests.Response:
        """``caller``'s token on ``owner``'s server (the same person, or another trying to get in)."""
        headers = {"Authorization": f"token {caller.token}", **kwargs.pop("headers", {})}
        return requests.request(method, self.user_url(owner, path), headers=headers, timeout=60,
                                allow_redirects=False, **kwargs)


def start_hub(state: Path, users: list[HubUser]) -> Hub:
    state.mkdir(parents=True, exist_ok=True)
    state.chmod(0o700)  # the Hub's database, cookie secret and tokens
    port, hub_port, proxy_api_port = _free_port(), _free_port(), _free_port()
    service_token = secrets.token_hex(32)
    config = state / "jupyterhub_config.py"
    config.write_text(HUB_CONFIG.format(
        port=port, hub_port=hub_port, proxy_api_port=proxy_api_port, state=state, proxy=proxy_command(),
        password=PASSWORD, users=sorted(u.name for u in users), singleuser=str(SINGLEUSER),
        spawn_seconds=SPAWN_SECONDS, service_token=service_token))
    env = {
        "PATH": f"{VENV_BIN}{os.pathsep}/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
        "CONFIGPROXY_AUTH_TOKEN": secrets.token_hex(32),
        **{key: os.environ[key] for key in ("PYTHONPATH", "JUPYTER_PATH") if os.environ.get(key)},
    }
    log_path = state / "jupyterhub.log"
    started = time.monotonic()
    with log_path.open("wb") as log:
        process = subprocess.Popen([str(VENV_BIN / "jupyterhub"), "-f", str(config)], cwd=state, env=env,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    hub = Hub(url=f"http://127.0.0.1:{port}/", state=state, service_token=service_token, process=process,
              log_path=log_path)
    deadline = started + HUB_STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"jupyterhub exited with {process.returncode}:\n{hub.log()[-4000:]}")
        try:
            if hub.api("GET", "").status_code == 200:
                hub.timings["hub start"] = time.monotonic() - started
                return hub
        except requests.RequestException:
            pass
        time.sleep(0.3)
    stop_hub(hub)
    raise RuntimeError(f"jupyterhub did not answer within {HUB_STARTUP_SECONDS} s:\n{hub.log()[-4000:]}")


def stop_hub(hub: Hub) -> None:
    """SIGTERM: the Hub stops every single-user server and its proxy; then nothing of its group is left."""
    if hub.process.poll() is None:
        hub.process.send_signal(signal.SIGTERM)
        try:
            hub.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(hub.process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    hub.process.wait(timeout=10)
    # The proxy runs in a session of its own; a Hub that died hard leaves it behind.
    pid_file = hub.state / "proxy.pid"
    if pid_file.exists():
        try:
            proxy = psutil.Process(int(pid_file.read_text().strip()))
            if "configurable-http-proxy" in " ".join(proxy.cmdline()):
                proxy.kill()
        except (ValueError, psutil.Error):
            pass


def run_name() -> str:
    """A short unique part for this run's user names (useradd allows 32 characters)."""
    return uuid.uuid4().hex[:6]
