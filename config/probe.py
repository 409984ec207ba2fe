"""Container healthchecks (docker-compose.yml); exit status 0 means healthy.

    python -m config.probe http://127.0.0.1:8000/healthz   an HTTP endpoint answers 2xx
    python -m config.probe services                        the database and the broker answer

HTTP probes send the first ALLOWED_HOSTS entry as Host, so they pass Django's
host validation whatever the deployment's host names are.
"""

import os
import sys
import urllib.request


def probe_host() -> str:
    first = os.environ.get("ALLOWED_HOSTS", "localhost").split(",")[0].strip()
    return "localhost" if first in ("", "*") else first.lstrip(".")


def http(url: str) -> bool:
    request = urllib.request.Request(url, headers={"Host": probe_host()})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return 200 <= response.status < 300
    except OSError as error:
        print(f"{url}: {error}", file=sys.stderr)
        return False


def services() -> bool:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from config.health import broker_ok, database_ok

    return database_ok() and broker_ok()


def main(argv: list[str]) -> int:
    target = argv[0] if argv else ""
    ok = services() if target == "services" else http(target)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
