"""gunicorn's settings for the portal, read from the environment file (deploy/partybuild.env).

`gunicorn -c /etc/partybuild/gunicorn.conf.py` (deploy/systemd/partybuild-web.service). Plain
Python, no Django: gunicorn reads it before the application is loaded.
"""

import multiprocessing
import os

wsgi_app = "partybuild.wsgi:application"
proc_name = "partybuild"

# nginx on the same machine; another address when nginx runs elsewhere (and in TRUSTED_PROXIES).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
# Synchronous workers: a request holds one worker, so twice the cores plus one keeps the CPUs
# busy while others wait on the database.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
# Long work runs in Celery, so a page is quick; a request still running after this is killed
# and logged. nginx waits a little longer (proxy_read_timeout 90s).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 30))
keepalive = 5
# A worker is replaced after this many requests (with some jitter, so not all at once): memory
# a library keeps growing is given back.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = max_requests // 10
# Heartbeat files in memory: a slow disk must not make the arbiter take live workers for dead.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# Whose X-Forwarded-Proto gunicorn believes (wsgi.url_scheme); Django reads the same header
# itself (SECURE_PROXY_SSL_HEADER) and takes client addresses from TRUSTED_PROXIES.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Both logs to standard output: journald keeps them (journalctl -u partybuild-web).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The request id nginx sends, so an access line finds the portal's own log lines; the time in µs.
access_log_format = (
    '%(h)s "%(r)s" %(s)s %(B)s %(D)sus "%(f)s" "%(a)s" request_id=%({x-request-id}i)s'
)


def on_starting(server) -> None:
    # prometheus_client counts each process's metrics in files of this folder (docs/monitoring.md).
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        os.makedirs(folder, exist_ok=True)


def child_exit(server, worker) -> None:
    # A replaced worker's live gauges leave the sums /metrics reports.
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
