"""Read the Procfile (shared by the tests of config/)."""

import shlex

from tests.workers import BASE_DIR


def procfile() -> dict[str, list[str]]:
    """{process name: argv} of the Procfile."""
    processes = {}
    for line in (BASE_DIR / "Procfile").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, command = line.partition(":")
            processes[name.strip()] = shlex.split(command)
    return processes
