"""Real infrastructure for tests: a private embedded Valkey (or a private vhost
on RabbitMQ) and Celery worker processes talking to it and to the test database."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from celery import Celery
from django.conf import settings
from django.db import connection
from kombu import pools

from config import valkey
from config.brokers import transport_for
from config.celery import app

BASE_DIR = Path(__file__).resolve().parent.parent
ALL_QUEUES = "default,notifications,emails,reports,maintenance,urgent"
SEND_QUEUES = "notifications,urgent"  # bulk sends and the high lane (small and urgent sends)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout=30.0, interval=0.05, message="condition"):
    """Poll until predicate() is truthy; return its value or fail loudly."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)


def use_broker(url: str):
    """Point this process's Celery app (and settings) at another broker."""
    settings.CELERY_BROKER_URL = app.conf.broker_url = url
    app.conf.broker_transport = transport_for(url)
    forget_broker_connections()


def forget_broker_connections():
    """Drop this process's pooled broker connections (after a broker restart or
    switch), as Celery does in a forked child, so the next use connects afresh."""
    pools.reset()
    app._after_fork()


class ValkeyProcess:
    """A durable embedded Valkey on a free port (AOF on, data in data_dir)."""

    def __init__(self, data_dir: Path, port: int | None = None):
        self.data_dir = data_dir
        self.port = port or free_port()
        self.proc = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.proc = subprocess.Popen(
            valkey.command(self.port, self.data_dir), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        import redis

        client = redis.Redis.from_url(self.url)
        wait_for(lambda: _pings(client), timeout=10, message="valkey to answer")
        return self

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=10)


def _ping(control_app, hostname):
    """The worker's ping reply; falsy while the broker connection is not usable (a pooled
    connection to a broker that restarted fails once before it reconnects)."""
    import redis
    from kombu.exceptions import OperationalError

    try:
        return control_app.control.ping([hostname], timeout=0.5)
    except (OSError, OperationalError, redis.exceptions.ConnectionError):
        return []


def _pings(client) -> bool:
    try:
        return client.ping()
    except Exception:
        return False


class RabbitVhost:
    """A private vhost on a running RabbitMQ for one test session (or benchmark),
    made and dropped with rabbitmqctl; without rabbitmqctl (or not root), the
    URL's own vhost is used as it is and tests purge its queues."""

    def __init__(self, url: str):
        self.base_url, self.name = url, None

    @staticmethod
    def manageable() -> bool:
        return os.geteuid() == 0 and shutil.which("rabbitmqctl") is not None

    @property
    def url(self) -> str:
        if not self.name:
            return self.base_url
        parts = urlsplit(self.base_url)
        return urlunsplit(parts._replace(path=f"/{self.name}"))

    def start(self):
        if self.manageable():
            self.name = f"test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
            user = urlsplit(self.base_url).username or "guest"
            rabbitmqctl("add_vhost", self.name)
            rabbitmqctl("set_permissions", "-p", self.name, user, ".*", ".*", ".*")
        return self

    def stop(self):
        if self.name:
            rabbitmqctl("delete_vhost", self.name, check=False)


def rabbitmqctl(*args, check=True, timeout=60):
    return subprocess.run(
        ["rabbitmqctl", "-q", *args], check=check, timeout=timeout, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def session_database_url() -> str:
    """DATABASE_URL of the database this test session uses (test_* on PostgreSQL)."""
    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class WorkerProcess:
    """`celery worker` as a separate OS process, like production."""

    def __init__(self, queues=ALL_QUEUES, concurrency=2, pool="prefork", env=None, name=None, wrapper=()):
        self.queues, self.concurrency, self.pool = queues, concurrency, pool
        self.extra_env = env or {}
        self.wrapper = list(wrapper)  # command prefix, e.g. ["ip", "netns", "exec", "ns1"]
        self.name = name or f"test-{free_port()}@%h"
        self.proc = None
        self.log_path = BASE_DIR / "var" / "test-logs" / f"worker-{os.getpid()}-{time.time_ns()}.log"

    def _popen(self, *args) -> dict:
        """Start `celery -A config <args>` on the session's database and broker; its env."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "DATABASE_URL": session_database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "CELERY_BROKER_URL": app.conf.broker_url,
            "PYTHONUNBUFFERED": "1",
            **self.extra_env,
        }
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [*self.wrapper, sys.executable, "-m", "celery", "-A", "config", *args],
            cwd=BASE_DIR, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        return env

    def start(self, timeout=60):
        env = self._popen(
            "worker", "-Q", self.queues, "-c", str(self.concurrency), "-P", self.pool,
            "-n", self.name, "--without-gossip", "--without-mingle", "-l", "INFO",
        )  # fmt: skip
        hostname = self.name.replace("%h", socket.gethostname())
        # Ping through the worker's own broker (env may point it at another one;
        # app.control would publish through the app's producer pool). Not made the
        # current app: shared tasks and libraries using current_app must keep ours.
        broker = env["CELERY_BROKER_URL"]
        control_app = app if broker == app.conf.broker_url else Celery(broker=broker, set_as_current=False)
        try:
            wait_for(
                lambda: self.proc.poll() is not None or _ping(control_app, hostname),
                timeout=timeout,
                interval=0.2,
                message=f"worker {hostname} to answer ping",
            )
        except BaseException:  # a timeout, a broker error, Ctrl-C
            self.kill()  # never leave a half-started worker behind
            raise
        finally:
            if control_app is not app:
                control_app.close()
        if self.proc.poll() is not None:
            raise RuntimeError(f"worker exited at start:\n{self.log()}")
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self):
        """SIGKILL the whole worker (main process and pool children), as a crash would."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self._log.close()

    def stop(self, timeout=30):
        """Warm shutdown: finish running tasks, then exit."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        if not self._log.closed:
            self._log.close()


@contextmanager
def reaper_every(period=None):
    """The reaper as beat runs it (jobs: reap stuck jobs, every 5 s by default), in a thread
    of the test process; yields the list of its outcomes."""
    from django.db import connection

    from jobs.maintenance import reap_stuck_jobs

    period = 5.0 if period is None else period
    outcomes, stop = [], threading.Event()

    def loop():
        try:
            while not stop.wait(period):
                outcomes.append(reap_stuck_jobs())
        finally:
            connection.close()

    thread = threading.Thread(target=loop, name="reaper", daemon=True)
    thread.start()
    try:
        yield outcomes
    finally:
        stop.set()
        thread.join(timeout=30)


class BeatProcess(WorkerProcess):
    """`celery beat` with the database scheduler as a separate OS process, like production."""

    def __init__(self, env=None):
        super().__init__(env=env)
        self.log_path = self.log_path.with_name(self.log_path.name.replace("worker-", "beat-"))

    def start(self, timeout=60):
        self._popen("beat", "-l", "INFO", "--pidfile", str(self.log_path.with_suffix(".pid")))
        wait_for(
            lambda: self.proc.poll() is not None or b"beat: Starting" in self.log_path.read_bytes(),
            timeout=timeout,
            interval=0.2,
            message="beat to start",
        )
        if self.proc.poll() is not None:
            raise RuntimeError(f"beat exited at start:\n{self.log()}")
        return self
