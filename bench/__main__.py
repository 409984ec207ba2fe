"""`make bench`: run every bench/bench_*.py module's run() and print its figures.

`python -m bench NAME` runs only bench_NAME.py."""

import importlib
import sys
import time
from pathlib import Path

from bench.common import setup


def main(argv):
    names = argv or sorted(p.stem.removeprefix("bench_") for p in Path(__file__).parent.glob("bench_*.py"))
    cleanup = setup()
    try:
        for name in names:
            module = importlib.import_module(f"bench.bench_{name}")
            print(f"\n== {name}: {(module.__doc__ or '').strip().splitlines()[0]}")
            started = time.monotonic()
            module.run()
            print(f"  ({time.monotonic() - started:.1f}s)")
    finally:
        cleanup()


if __name__ == "__main__":
    main(sys.argv[1:])
