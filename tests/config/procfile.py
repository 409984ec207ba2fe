"""Helpers shared by the tests of config/: the Procfile, HTTP status probes."""

import base64
import shlex
import urllib.error
import urllib.request

from tests.workers import BASE_DIR


def procfile() -> dict[str, list[str]]:
    """{process name: argv} of the Procfile (without the `exec` that lets honcho
    signal the process itself instead of a shell)."""
    processes = {}
    for line in (BASE_DIR / "Procfile").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, command = line.partition(":")
            argv = shlex.split(command)
            processes[name.strip()] = argv[1:] if argv[:1] == ["exec"] else argv
    return processes


def status(url, credentials=None):
    """HTTP status of GET url (None when nothing answers)."""
    request = urllib.request.Request(url)
    if credentials:
        request.add_header("Authorization", "Basic " + base64.b64encode(credentials.encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None
