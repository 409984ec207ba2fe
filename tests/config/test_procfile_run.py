"""What `make run` starts: every Procfile process under honcho comes up, and
Ctrl-C (SIGINT to honcho) stops all of them, leaving no stray process.

Runs on free ports against the session's broker and database, so the embedded
Valkey process takes its "REDIS_URL is set" branch (stays up idle)."""

import os
import signal
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from config.celery import app
from tests.config.procfile import status
from tests.workers import BASE_DIR, free_port, session_database_url, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def processes_with(marker):
    """PIDs of live processes whose environment contains marker."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "environ").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@pytest.fixture
def honcho(tmp_path, broker_url):
    marker = f"PROCFILE_TEST={uuid.uuid4().hex}"
    empty_env_file = tmp_path / "env"
    empty_env_file.write_text("")
    web_port, flower_port = free_port(), free_port()
    venv_bin = Path(sys.executable).parent
    env = {
        **os.environ,
        "PATH": f"{venv_bin}{os.pathsep}{os.environ['PATH']}",
        "REDIS_URL": broker_url,
        "DATABASE_URL": session_database_url(),
        "WEB_PORT": str(web_port),
        "FLOWER_PORT": str(flower_port),
        "FLOWER_DB": str(tmp_path / "flower.db"),
        marker.split("=")[0]: marker.split("=")[1],
    }
    proc = subprocess.Popen(
        [str(venv_bin / "honcho"), "start", "--env", str(empty_env_file), "--no-colour"],
        cwd=BASE_DIR,
        env=env,
        stdout=open(tmp_path / "honcho.log", "wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    run = type("Run", (), {})()
    run.proc, run.marker, run.log = proc, marker, tmp_path / "honcho.log"
    run.web, run.flower = f"http://127.0.0.1:{web_port}", f"http://127.0.0.1:{flower_port}"
    yield run
    for pid in processes_with(marker):  # only if the test failed: leave nothing behind
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    with app.connection_for_write() as conn:  # whatever beat may have sent
        for queue in settings.CELERY_TASK_QUEUES:
            queue.bind(conn.default_channel).purge()


def test_all_processes_come_up_and_ctrl_c_stops_every_one(honcho):
    # given everything `make run` starts
    def up():
        assert honcho.proc.poll() is None, honcho.log.read_text()
        return (
            status(f"{honcho.web}/healthz") == 200
            and status(f"{honcho.flower}/") == 401
            and app.control.ping([f"worker@{socket.gethostname()}"], timeout=0.5)
        )

    wait_for(up, timeout=90, interval=0.5, message="web, flower and worker to answer")
    assert len(processes_with(honcho.marker)) >= 6  # honcho + valkey, web, worker (+pool), beat, flower

    # when Ctrl-C reaches honcho
    honcho.proc.send_signal(signal.SIGINT)
    honcho.proc.wait(timeout=30)

    # then no process it started is left
    wait_for(lambda: not processes_with(honcho.marker), timeout=10, message="every process to exit")
    log = honcho.log.read_text()
    assert "SIGINT received" in log
    for name in ("valkey", "web", "worker", "beat", "flower"):
        assert f"{name}.1 stopped" in log
    assert "REDIS_URL is set: not starting the embedded Valkey." in log
