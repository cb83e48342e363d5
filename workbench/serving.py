"""`workbench ui` and `workbench serve`: the reviewer UI started as Streamlit, with the workspace's settings.

The app is `app_pages/app.py` of the installed package. This module only builds the
`streamlit run` command line and its environment (it never imports streamlit):
the workspace folder and the `--model` choices travel as environment variables,
the team settings (address, port, upload size, error details) as Streamlit options.
In single-team mode (no users file) anyone who reaches the UI may do everything,
so `serve` refuses an address other than the loopback unless told `allow_anyone`.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
from dataclasses import dataclass, field
from pathlib import Path

from workbench.config import HOME_ENV, model_env, setting, workspace
from workbench.errors import UsageError


@dataclass
class ServerSettings:
    """What the UI is started with."""

    address: str
    port: int
    max_upload_mb: int
    team: bool  # serve (a team server: no error details, no browser) rather than ui (one reviewer)
    models: dict[str, str] = field(default_factory=dict)
    allow_anyone: bool = False

    @property
    def url(self) -> str:
        """The address to open in a browser."""
        host = "127.0.0.1" if self.address in ("0.0.0.0", "") else "[::1]" if self.address == "::" else self.address
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"
        return f"http://{host}:{self.port}"


def is_loopback(address: str) -> bool:
    """Whether `address` (an IP or a host name) only reaches this machine."""
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        pass
    try:
        resolved = {info[4][0] for info in socket.getaddrinfo(address, None)}
    except OSError:
        raise UsageError(f"--address {address}: not an IP address or a known host name") from None
    return bool(resolved) and all(ipaddress.ip_address(ip.split("%")[0]).is_loopback for ip in resolved)


def check_exposure(settings: ServerSettings) -> None:
    """Refuse to serve single-team mode beyond this machine unless the operator said so."""
    from workbench.accounts import users_file_path

    if is_loopback(settings.address) or settings.allow_anyone or users_file_path() is not None:
        return
    raise UsageError(
        f"--address {settings.address}: without a users file the UI is in single-team mode and anyone who "
        "reaches it may change everything. Add accounts (`workbench users add NAME --role admin` and "
        "`users = \"users.json\"` in workbench.toml), or serve on 127.0.0.1 behind a proxy that signs people "
        "in, or pass --allow-anyone if everyone on that network may do everything")


def app_path() -> Path:
    """The Streamlit entry of the installed package (found, not imported: the library sits below the UI)."""
    import importlib.util

    spec = importlib.util.find_spec("app_pages")
    if spec is None or not spec.submodule_search_locations:
        raise UsageError("the reviewer UI (package app_pages) is not installed; reinstall the workbench")
    return (Path(list(spec.submodule_search_locations)[0]) / "app.py").resolve()


def streamlit_command(settings: ServerSettings) -> list[str]:
    """The `python -m streamlit run ...` command line."""
    return [
        sys.executable, "-m", "streamlit", "run", str(app_path()),
        "--server.address", settings.address, "--server.port", str(settings.port),
        "--server.headless", "true",
        "--server.maxUploadSize", str(settings.max_upload_mb),
        "--server.fileWatcherType", "none", "--server.runOnSave", "false",
        "--browser.gatherUsageStats", "false",
        # A team server shows reviewers a plain error, never a traceback with the server's paths.
        "--client.showErrorDetails", "none" if settings.team else "full",
        "--client.toolbarMode", "minimal",
    ]


def server_environment(settings: ServerSettings) -> dict[str, str]:
    """The environment of the UI: the workspace folder, the --model choices."""
    env = dict(os.environ)
    space = workspace()
    if space.root is not None and not os.environ.get("WORKBENCH_CONFIG"):
        env[HOME_ENV] = str(space.root)  # the UI finds the same workspace whatever its working folder
    env.update(model_env(settings.models))
    env.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
    return env


def settings_from(address: str | None, port: int | None, max_upload_mb: int | None, *, team: bool,
                  models: dict[str, str] | None = None, allow_anyone: bool = False) -> ServerSettings:
    """Options first, then the workspace's [server] table, then the defaults."""
    return ServerSettings(
        address=address or setting("server.address"), port=port if port is not None else setting("server.port"),
        max_upload_mb=max_upload_mb or setting("server.max_upload_mb"), team=team, models=dict(models or {}),
        allow_anyone=allow_anyone)


def describe(settings: ServerSettings) -> str:
    """What the server will use, for the operator: URL, store, glossary, accounts."""
    from workbench.accounts import users_file_path
    from workbench.config import default_db_path, default_glossary_path

    users = users_file_path()
    accounts = f"accounts from {users}" if users else "single-team mode (no users file: anyone who reaches it)"
    return (f"The workbench is at {settings.url}\n"
            f"  store: {default_db_path()}\n  glossary: {default_glossary_path()}\n  {accounts}\n"
            f"  uploads up to {settings.max_upload_mb} MiB")
