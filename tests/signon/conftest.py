"""Debian's slapd with a small directory (tests/signon/directory_data.py), started once for the
session on a free port of 127.0.0.1 and stopped at the end; the settings that point the portal
at it. CI (CI=true) fails when slapd is missing; elsewhere the tests are skipped with the reason.
"""

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from . import directory_data as data

SLAPD = shutil.which("slapd") or "/usr/sbin/slapd"
SLAPADD = shutil.which("slapadd") or "/usr/sbin/slapadd"


@dataclass(frozen=True)
class Slapd:
    url: str


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _missing() -> str | None:
    for tool in (SLAPD, SLAPADD):
        if not os.access(tool, os.X_OK):
            return f"{tool} is missing: apt-get install slapd ldap-utils"
    return None


def _wait_for(port: int, process: subprocess.Popen, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"slapd exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError(f"slapd did not listen on port {port} within {seconds} s")


@pytest.fixture(scope="session")
def slapd(tmp_path_factory) -> Slapd:
    missing = _missing()
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI runs the directory tests for real: {missing}")
        pytest.skip(missing)
    folder: Path = tmp_path_factory.mktemp("slapd")
    (folder / "db").mkdir()
    (folder / "test.schema").write_text(data.SCHEMA)
    config = folder / "slapd.conf"
    config.write_text(data.CONFIG.format(folder=folder, base=data.BASE))
    (folder / "data.ldif").write_text(data.ldif(), encoding="utf-8")
    loaded = subprocess.run(
        [SLAPADD, "-q", "-f", str(config), "-l", str(folder / "data.ldif")],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    if loaded.returncode:
        pytest.fail(f"slapadd refused the test directory: {loaded.stderr[-2000:]}")
    port = free_port()
    # -d 0: in the foreground (the fixture owns the process), no debug output.
    process = subprocess.Popen(
        [SLAPD, "-f", str(config), "-h", f"ldap://127.0.0.1:{port}/", "-d", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for(port, process)
    except RuntimeError as exc:
        process.kill()
        pytest.fail(f"{exc}: {process.communicate()[1].decode(errors='replace')[-2000:]}")
    yield Slapd(url=f"ldap://127.0.0.1:{port}")
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def directory(settings, slapd) -> Slapd:
    """The portal signs in against the test directory (and keeps ModelBackend first)."""
    settings.LDAP_URL = slapd.url
    settings.LDAP_BIND_DN = data.SEARCH_DN
    settings.LDAP_BIND_PASSWORD = data.SEARCH_PASSWORD
    settings.LDAP_USER_BASE = data.PEOPLE
    settings.LDAP_USER_FILTER = "(uid=%(user)s)"
    settings.LDAP_GROUP_BASE = data.GROUPS
    settings.LDAP_GROUP_ROLES = ""
    settings.LDAP_DISABLED_FILTER = ""
    settings.LDAP_START_TLS = False
    settings.LDAP_TIMEOUT = 2
    if "signon.backends.LdapBackend" not in settings.AUTHENTICATION_BACKENDS:
        settings.AUTHENTICATION_BACKENDS = [
            *settings.AUTHENTICATION_BACKENDS,
            "signon.backends.LdapBackend",
        ]
    return slapd
