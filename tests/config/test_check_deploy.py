"""`manage.py check --deploy` is clean with production-like settings."""

import os
import secrets
import subprocess
import sys

import pytest

from tests.workers import BASE_DIR

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "crm.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://crm.example.com",
    # Not connected to: `check` touches the database only with --database.
    "DATABASE_URL": "postgres://crm:secret@db.example.com:5432/crm",
    "REDIS_URL": "redis://redis.example.com:6379/0",
    "FLOWER_BASIC_AUTH": "ops:long-random-password",
}


def manage(*args, env):
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_no_issues_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr + result.stdout


@pytest.mark.skipif(
    "SECRET_KEY=" in (BASE_DIR / ".env").read_text() if (BASE_DIR / ".env").exists() else False,
    reason="a local .env provides SECRET_KEY",
)
def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}

    result = manage("check", env=env)

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
