"""Schemathesis over /api/schema/ against a live server: no server errors, no schema
violations. A short run in the suite; `make fuzz` runs every phase with more examples
(FUZZ_EXAMPLES per operation, FUZZ_PHASES, FUZZ_SEED)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

from tests.jobs.factories import BackgroundJobFactory

pytestmark = pytest.mark.django_db(transaction=True)
ST = Path(sys.executable).with_name("st")
# Server errors and every way a response can contradict the schema. Not the checks on
# how lenient input parsing is (negative_data_rejection: DRF's fields coerce "5" to 5
# and 0 to "0" by design) nor the ones needing data the run cannot create.
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "missing_required_header",
    "unsupported_method",
    "allow_header_conformance",
    "ignored_auth",
]


@pytest.fixture
def fuzz_settings(settings, tmp_path):
    settings.JOBS_START_RATE = None  # the fuzzer starts many jobs
    settings.MEDIA_ROOT = tmp_path / "media"


def test_schemathesis_finds_no_server_errors_or_schema_violations(
    live_server, alice, fuzz_settings, purge_queues, tmp_path
):
    # given some of alice's jobs, whose ids the run uses half the time (else any integer)
    ids = [BackgroundJobFactory(created_by=alice, **{state: True}).pk for state in ("running", "failed", "completed")]
    token = Token.objects.create(user=alice).key
    config = tmp_path / "schemathesis.toml"
    config.write_text(
        f"[dictionaries.jobs]\nvalues = {ids}\n\n"
        '[parameters]\n"path.id" = { dictionary = "jobs", probability = 0.5 }\n'
    )

    run = subprocess.run(
        [
            str(ST), "--config-file", str(config), "run", f"{live_server.url}/api/schema/",
            "--header", f"Authorization: Token {token}",
            "--max-examples", os.environ.get("FUZZ_EXAMPLES", "5"),
            "--phases", os.environ.get("FUZZ_PHASES", "coverage,fuzzing"),
            "--seed", os.environ.get("FUZZ_SEED", "1"),
            "--checks", ",".join(CHECKS),
            "--generation-database", "none",
            "--workers", "1", "--no-color", "--suppress-health-check", "all",
        ],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip

    print(run.stdout[run.stdout.find("WARNINGS") :])  # shown by `make fuzz` (pytest -s)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
