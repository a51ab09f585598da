"""Real queue parts for the queue tests and the delivery benchmark.

- `RedisServer`: a private `redis-server` on a free port (no persistence), so a test may stop
  and restart it without touching the shared Redis, and no task leaks into it.
- `CeleryWorker`: `celery -A twinning worker` as a child process in its own process group
  (so the fault test can SIGKILL the worker and its pool at once), ready when its log says so.
- `celery_publishing_to(url)`: the test process's Celery app publishes to that broker for
  real (not eagerly), with its connection pools rebuilt so the old broker URL is not reused.
"""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from tests.subscriptions.smtp import HOST, free_port, wait_until

BASE_DIR = Path(__file__).resolve().parent.parent.parent


# ------------------------------------------------------------------------------
# Redis
# ------------------------------------------------------------------------------
def redis_server_binary() -> str:
    path = shutil.which("redis-server")
    if not path:
        raise FileNotFoundError("no redis-server on the PATH (apt-get install redis-server)")
    return path


class RedisServer:
    """A throwaway redis-server; `stop()` and `start()` again keep the same port."""

    def __init__(self, directory: Path, port: int | None = None):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def ping(self) -> bool:
        import redis

        client = redis.Redis(host=HOST, port=self.port, socket_connect_timeout=0.5)
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    def start(self):
        log = open(self.directory / "redis.log", "ab")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(  # noqa: S603 (our own command line)
            [
                redis_server_binary(),
                "--port",
                str(self.port),
                "--bind",
                HOST,
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self._log = log
        wait_until(self.ping, timeout=10, what=f"redis-server on port {self.port}")
        return self

    def stop(self):
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
        self._log.close()


# ------------------------------------------------------------------------------
# The test process as a producer
# ------------------------------------------------------------------------------
def _drop_broker_connections(app):
    import kombu.pools

    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None
    kombu.pools.reset()


@contextlib.contextmanager
def celery_publishing_to(broker_url: str):
    """Tasks `.delay()`ed in this process go to `broker_url` (not run eagerly)."""
    from twinning.celery import app

    saved = app.conf.broker_url, app.conf.task_always_eager
    _drop_broker_connections(app)
    app.conf.broker_url = broker_url
    app.conf.task_always_eager = False
    try:
        yield app
    finally:
        _drop_broker_connections(app)
        app.conf.broker_url, app.conf.task_always_eager = saved


# ------------------------------------------------------------------------------
# Celery worker
# ------------------------------------------------------------------------------
def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL for another process to reach the database this process uses (for a
    test, pytest-django's test database)."""
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "localhost"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{quote(settings_dict['NAME'], safe='')}"


def worker_environment(
    *, database_url: str, redis_url: str, email_url: str, secret_key: str, **extra
) -> dict:
    """The worker's settings: production-like, same secret key (signed links must match)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TWINNING_DELIVERY_", "CELERY_", "PYTEST_"))
    }
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secret_key,
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        EMAIL_URL=email_url,
        CELERY_TASK_ALWAYS_EAGER="0",
        TWINNING_SITE_URL="https://twinning.example",
        PYTHONUNBUFFERED="1",
    )
    env.update({key: str(value) for key, value in extra.items()})
    return env


def _stat(pid) -> list[str]:
    """Fields 3… of /proc/<pid>/stat (after the command name); [] when the process is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def children_of(pid: int) -> list[int]:
    return [
        int(entry)
        for entry in os.listdir("/proc")
        if entry.isdigit() and _stat(entry)[1:2] == [str(pid)]
    ]


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process, from /proc (0 when it is gone)."""
    fields = _stat(pid)
    if not fields:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CeleryWorker:
    """`celery -A twinning worker -P prefork` in its own session (process group)."""

    def __init__(self, *, env: dict, log_path: Path, concurrency: int = 2, name: str = "queue"):
        self.env = env
        self.log_path = Path(log_path)
        self.concurrency = concurrency
        self.name = f"{name}-{os.getpid()}-{time.monotonic_ns()}@%h"
        self.process = None

    def start(self, *, timeout: float = 30):
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        log = open(self.log_path, "ab")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(  # noqa: S603 (our own command line)
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "twinning",
                "worker",
                "-P",
                "prefork",
                "-c",
                str(self.concurrency),
                "-l",
                "info",
                "-n",
                self.name,
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._log = log

        def ready():
            if self.process.poll() is not None:
                raise RuntimeError(f"The Celery worker exited:\n{self.log_tail()}")
            return " ready." in self.log()

        wait_until(ready, timeout=timeout, interval=0.1, what="the Celery worker to be ready")
        return self

    def log(self) -> str:
        """What this run of the worker logged so far."""
        with open(self.log_path, "rb") as file:
            file.seek(self._offset)
            return file.read().decode(errors="replace")

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log().splitlines()[-lines:])

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def pids(self) -> list[int]:
        """The main process and its pool processes."""
        if not self.running:
            return []
        return [self.process.pid, *children_of(self.process.pid)]

    def peak_rss_kib(self) -> dict[int, int]:
        """Peak resident memory (VmHWM) of each process of the worker, in KiB."""
        peaks = {}
        for pid in self.pids():
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peaks[pid] = int(line.split()[1])
        return peaks

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the worker's live processes."""
        return sum(process_cpu_seconds(pid) for pid in self.pids())

    def kill(self):
        """SIGKILL the worker and its pool at once, as the OOM killer or a power cut would."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self._log.close()
        self.process = None

    def stop(self, *, timeout: float = 15):
        """Warm shutdown (running tasks finish), then SIGKILL whatever is left."""
        if self.process is None:
            return
        self.process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=timeout)
        self.kill()
