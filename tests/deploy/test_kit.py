"""The deploy kit, end to end: the wheel built from this tree, installed in a fresh virtualenv,
run by gunicorn with deploy/gunicorn.conf.py behind Debian's nginx with deploy/nginx's site, in
the production environment, and asked through nginx over TLS.

Slow (a build, an install, migrations): one module-scoped installation serves every test. It
skips only on a developer's machine without nginx; in CI (CI=true) a missing nginx fails.
"""

import json
import logging
import os
import pwd
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.deploy
log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SECRET_KEY = "deploy-kit-" + "Zq8-x_Lm3PvR7tYw2NcB5hJd9FgK4sAe" * 2
# Not part of the wheel: tests, tools and what a checkout keeps for itself.
NOT_SHIPPED = ("tests/", "bench/", "scripts/", "docs/", "deploy/")


def _nginx() -> str:
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail("nginx is missing: .ci/run installs Debian's nginx for the deploy kit test")
    pytest.skip("nginx is not installed (apt-get install nginx); CI runs this test")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _run(*args: str | Path, env: dict | None = None, cwd: Path, timeout: int = 300) -> str:
    started = time.monotonic()
    result = subprocess.run(
        [str(arg) for arg in args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    log.info("%s: %.1f s", " ".join(str(arg) for arg in args[:3]), time.monotonic() - started)
    assert result.returncode == 0, f"{args[:3]} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _build_wheel(tmp: Path) -> tuple[Path, list[str]]:
    """The wheel as `pip install .` builds it, from a copy of the tree (tracked and new files,
    not ignored ones), so no build folder is left in the checkout; and the files copied."""
    source = tmp / "source"
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    copied = [
        name
        for name in listed.split("\0")
        if name and not name.startswith(NOT_SHIPPED) and (ROOT / name).is_file()
    ]
    for name in copied:
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    (source / "node_modules").symlink_to(ROOT / "node_modules")
    pip = (sys.executable, "-m", "pip")
    _run(*pip, "wheel", "-q", "--no-deps", "-w", tmp / "dist", source, cwd=tmp)
    (wheel,) = (tmp / "dist").glob("partybuild-*.whl")
    return wheel, copied


def _throwaway_database(tmp: Path) -> tuple[str, str | None]:
    """A database of its own: on the server of DATABASE_URL when set, else a SQLite file."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return f"sqlite:///{tmp / 'kit.sqlite3'}", None
    import psycopg2

    base, _, name = url.rpartition("/")
    kit_name = f"{name.split('?')[0]}_kit"
    admin = psycopg2.connect(f"{base}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{kit_name}"')
        cursor.execute(f'CREATE DATABASE "{kit_name}"')
    admin.close()
    return f"{base}/{kit_name}", kit_name


def _drop_database(name: str | None) -> None:
    if name is None:
        return
    import psycopg2

    base = os.environ["DATABASE_URL"].rpartition("/")[0]
    admin = psycopg2.connect(f"{base}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def _render_site(tmp: Path, *, https_port: int, http_port: int, web_port: int, env: dict) -> Path:
    """deploy/nginx/partybuild.conf with this test's paths and ports, in a main configuration
    that runs nginx as the current user under `tmp`."""
    site = (DEPLOY / "nginx" / "partybuild.conf").read_text()
    placeholders = {
        "@SERVER_NAME@": "localhost",
        "@TLS_CERTIFICATE@": str(tmp / "tls.crt"),
        "@TLS_CERTIFICATE_KEY@": str(tmp / "tls.key"),
        "@STATIC_ROOT@": f"{env['STATIC_ROOT']}/",
        "@MEDIA_ROOT@": f"{env['MEDIA_ROOT']}/",
    }
    for placeholder, value in placeholders.items():
        assert placeholder in site, placeholder
        site = site.replace(placeholder, value)
    assert "@" not in re.sub(r"#.*", "", site), "a placeholder is left in the site"
    site = re.sub(r"listen \[::\]:\d+[^;]*;\n", "", site)  # no IPv6 needed here
    site = site.replace("listen 443 ssl", f"listen 127.0.0.1:{https_port} ssl")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    site = site.replace("server 127.0.0.1:8001", f"server 127.0.0.1:{web_port}")
    main = tmp / "nginx.conf"
    logs = tmp / "nginx"
    logs.mkdir()
    # Run as root (CI), nginx's workers would switch to nobody, who cannot read the test's files.
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
    main.write_text(
        f"""{user}
error_log {logs}/error.log warn;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {logs}/access.log;
    client_body_temp_path {logs}/body;
    proxy_temp_path {logs}/proxy;
    fastcgi_temp_path {logs}/fastcgi;
    uwsgi_temp_path {logs}/uwsgi;
    scgi_temp_path {logs}/scgi;
{site}
}}
"""
    )
    return main


def _wait_for(port: int, process: subprocess.Popen, log: Path) -> None:
    for _ in range(300):
        if process.poll() is not None:
            pytest.fail(f"{process.args[0]} exited:\n{log.read_text()}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    pytest.fail(f"nothing listens on {port}:\n{log.read_text()}")


@dataclass
class Kit:
    base: str
    http_base: str
    venv: Path
    env: dict
    wheel: Path
    built_from: list[str]
    seeded: dict
    tmp: Path
    nginx_log: Path

    def get(self, path: str, *, session: str | None = None) -> tuple[int, dict, bytes]:
        request = urllib.request.Request(self.base + path)
        if session:
            request.add_header("Cookie", f"sessionid={session}")
        context = ssl.create_default_context(cafile=str(self.tmp / "tls.crt"))
        opener = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=context), _NoRedirect
        )
        try:
            with opener.open(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture(scope="module")
def kit() -> Iterator[Kit]:
    nginx = _nginx()
    # A folder of its own, not pytest's: another pytest run on the machine prunes those.
    tmp = Path(tempfile.mkdtemp(prefix="partybuild-kit-"))
    try:
        yield from _installed(nginx, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _installed(nginx: str, tmp: Path) -> Iterator[Kit]:
    wheel, built_from = _build_wheel(tmp)
    venv = tmp / "venv"
    # A fresh virtualenv; the running pip installs into it (quicker than bootstrapping its own).
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp)
    pip = (sys.executable, "-m", "pip", "--python", venv / "bin" / "python")
    _run(*pip, "install", "-q", wheel, cwd=tmp, timeout=600)

    database_url, kit_database = _throwaway_database(tmp)
    https_port, http_port, web_port = _free_port(), _free_port(), _free_port()
    env = {
        "PATH": f"{venv / 'bin'}:{os.environ['PATH']}",
        "HOME": str(tmp),
        "LANG": "C.UTF-8",
        **dict(line.split("=", 1) for line in _active_lines(DEPLOY / "partybuild.env")),
    }
    env.update(
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS="localhost",
        CSRF_TRUSTED_ORIGINS=f"https://localhost:{https_port}",
        PORTAL_URL=f"https://localhost:{https_port}",
        DATABASE_URL=database_url,
        MEDIA_ROOT=str(tmp / "media"),
        STATIC_ROOT=str(tmp / "static"),
        BROKER_DIR=str(tmp / "broker"),
        GUNICORN_BIND=f"127.0.0.1:{web_port}",
        GUNICORN_WORKERS="2",
    )
    if os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = os.environ["REDIS_URL"]
    else:
        del env["REDIS_URL"]
    django_admin = venv / "bin" / "django-admin"
    _run(django_admin, "migrate", "--noinput", "-v0", env=env, cwd=tmp, timeout=600)
    _run(django_admin, "collectstatic", "--noinput", "-v0", env=env, cwd=tmp, timeout=600)
    seeded = json.loads(
        _run(venv / "bin" / "python", Path(__file__).with_name("seed_kit.py"), env=env, cwd=tmp)
    )

    _run(
        "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
        "-keyout", tmp / "tls.key", "-out", tmp / "tls.crt", cwd=tmp,
    )  # fmt: skip
    conf = _render_site(tmp, https_port=https_port, http_port=http_port, web_port=web_port, env=env)
    _run(nginx, "-t", "-p", tmp, "-c", conf, "-g", f"pid {tmp}/nginx.pid;", cwd=tmp)

    gunicorn_log = tmp / "gunicorn.log"
    with gunicorn_log.open("w") as out:
        gunicorn = subprocess.Popen(
            [venv / "bin" / "gunicorn", "--config", DEPLOY / "gunicorn.conf.py"],
            env=env,
            cwd=tmp,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    nginx_log = tmp / "nginx" / "error.log"
    nginx_process = subprocess.Popen(
        [nginx, "-p", tmp, "-c", conf, "-g", f"daemon off; pid {tmp}/nginx.pid;"],
        cwd=tmp,
        stderr=subprocess.STDOUT,
        stdout=(tmp / "nginx.out").open("w"),
    )
    try:
        _wait_for(web_port, gunicorn, gunicorn_log)
        _wait_for(https_port, nginx_process, tmp / "nginx.out")
        yield Kit(
            base=f"https://localhost:{https_port}",
            http_base=f"http://localhost:{http_port}",
            venv=venv,
            env=env,
            wheel=wheel,
            built_from=built_from,
            seeded=seeded,
            tmp=tmp,
            nginx_log=nginx_log,
        )
    finally:
        for process in (nginx_process, gunicorn):
            process.send_signal(signal.SIGTERM)
        for process in (nginx_process, gunicorn):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        _drop_database(kit_database)


def _logged(log: Path, text: str) -> bool:
    # nginx writes its access line once the answer is sent, maybe after the client has read it.
    for _ in range(50):
        if text in log.read_text():
            return True
        time.sleep(0.1)
    return False


def _active_lines(path: Path) -> list[str]:
    return [
        line for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")
    ]


def test_the_portal_runs_from_the_installed_wheel_not_the_checkout(kit):
    assert kit.seeded["package"].startswith(str(kit.venv))
    assert not kit.seeded["package"].startswith(str(ROOT))


def test_the_wheel_carries_every_app_file_and_the_site_files(kit):
    names = set(zipfile.ZipFile(kit.wheel).namelist())
    listed = kit.built_from
    packages = {path.parent.name for path in ROOT.glob("*/__init__.py")} - {"tests"}
    # Every file of every app: code, migrations, templates, static files, the framework.
    app_files = {
        name for name in listed if name.split("/")[0] in packages and "__pycache__" not in name
    }
    assert app_files - names == set()
    assert "assessment/data/framework.yaml" in names
    shipped = "partybuild/shipped/"
    for name in listed:
        if name.startswith(("templates/", "static/")):
            assert shipped + name in names
    assert f"{shipped}locale/zh_Hans/LC_MESSAGES/django.mo" in names
    assert f"{shipped}node_modules/@embedpdf/fonts-sc/fonts/NotoSansHans-Regular.otf" in names


def test_healthz_answers_through_nginx(kit):
    status, _headers, body = kit.get("/healthz")
    assert status == 200, body
    assert json.loads(body)["status"] == "ok"


def test_plain_http_is_sent_to_https(kit):
    request = urllib.request.Request(kit.http_base + "/healthz")
    opener = urllib.request.build_opener(_NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as answer:
        opener.open(request, timeout=10)
    assert answer.value.code == 301
    assert answer.value.headers["Location"].startswith("https://localhost")


def test_a_static_file_is_served_by_nginx_from_the_collected_folder(kit):
    manifest = json.loads((kit.tmp / "static" / "staticfiles.json").read_text())
    hashed = manifest["paths"]["vendor/htmx/htmx.min.js"]
    status, headers, body = kit.get(f"/static/{hashed}")
    assert status == 200
    assert body == (kit.tmp / "static" / hashed).read_bytes()
    assert "javascript" in headers["Content-Type"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Strict-Transport-Security"].startswith("max-age=")
    # Precompressed for nginx's gzip_static, and in no format it cannot serve.
    assert (kit.tmp / "static" / f"{hashed}.gz").is_file()
    assert not list((kit.tmp / "static").rglob("*.br"))
    # nginx answered: gunicorn's access log never saw it.
    assert hashed not in (kit.tmp / "gunicorn.log").read_text()


def test_own_evidence_is_sent_by_nginx_from_disk_after_the_scope_check(kit):
    own = kit.seeded["own"]
    status, headers, body = kit.get(own["url"], session=kit.seeded["session"])
    assert status == 200
    assert body.decode() == own["content"]
    assert headers["Content-Type"] == "application/pdf"
    assert headers["Content-Disposition"].startswith("attachment;")
    assert "X-Accel-Redirect" not in headers
    assert headers["Content-Security-Policy"] == "sandbox"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cache-Control"] == "private, no-store"
    # nginx sent the bytes: its access log has the download, the portal's answer was empty.
    sent = f'GET {own["url"]} HTTP/1.1" 200 {len(own["content"])}'
    assert _logged(kit.tmp / "nginx" / "access.log", sent)


def test_another_units_evidence_is_a_404(kit):
    status, _headers, body = kit.get(kit.seeded["other"]["url"], session=kit.seeded["session"])
    assert status == 404
    assert kit.seeded["other"]["content"].encode() not in body


def test_the_protected_location_cannot_be_asked_for_directly(kit):
    status, _headers, body = kit.get(f"/protected/{kit.seeded['own']['stored']}")
    assert status == 404
    assert kit.seeded["own"]["content"].encode() not in body


def test_pages_carry_the_security_headers(kit):
    status, headers, _body = kit.get("/accounts/login/")
    assert status == 200
    csp = headers["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
    assert directives["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert "'unsafe-eval'" not in csp
    assert directives["frame-ancestors"] == ["'none'"]
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_the_deploy_check_finds_nothing_in_the_installed_production_environment(kit):
    output = _run(
        kit.venv / "bin" / "django-admin",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env=kit.env,
        cwd=kit.tmp,
    )
    assert "no issues" in output


def test_the_installed_portal_refuses_to_keep_files_inside_the_virtualenv(kit):
    env = {k: v for k, v in kit.env.items() if k != "STATIC_ROOT"}
    result = subprocess.run(
        [kit.venv / "bin" / "django-admin", "check"],
        env=env,
        cwd=kit.tmp,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "needs MEDIA_ROOT and STATIC_ROOT" in result.stderr
