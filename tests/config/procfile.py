"""Read the Procfile (shared by the tests of config/)."""

import shlex

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
