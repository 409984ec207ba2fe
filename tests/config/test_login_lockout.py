"""Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords a username
is locked out on both login pages, even with the right password, until the cool-off ends."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.test import Client

pytestmark = pytest.mark.django_db
PAGES = ["/accounts/login/", "/admin/login/"]


@pytest.fixture(autouse=True)
def small_limit(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=10)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def log_in(page, username, password, **extra):
    return Client().post(page, {"username": username, "password": password, "next": "/"}, **extra)


def fail(page, times, username="staff"):
    return [log_in(page, username, "wrong").status_code for _ in range(times)]


def logged_in(response):
    return response.status_code == 302 and "_auth_user_id" in response.client.session


@pytest.mark.parametrize("page", PAGES)
def test_wrong_passwords_lock_the_account_out(staff, page):
    assert fail(page, 2) == [200, 200]  # the form again, with its error
    assert fail(page, 1) == [429]  # the limit

    response = log_in(page, "staff", "staff-password")

    assert response.status_code == 429
    assert "locked after 3 failed logins" in response.content.decode() and "10 min" in response.content.decode()
    assert not logged_in(response)


def test_failures_on_both_pages_add_up(staff):
    fail("/accounts/login/", 2)
    fail("/admin/login/", 1)

    assert log_in("/accounts/login/", "staff", "staff-password").status_code == 429


def test_the_lockout_message_is_translated(staff):
    fail("/accounts/login/", 3)

    response = log_in("/accounts/login/", "staff", "staff-password", HTTP_ACCEPT_LANGUAGE="fa")

    assert response.status_code == 429
    assert "قفل شده است" in response.content.decode()


def test_other_users_can_still_log_in(staff, alice):
    fail("/accounts/login/", 3)

    assert logged_in(log_in("/accounts/login/", "alice", "alice-password"))


@pytest.mark.parametrize("page", PAGES)
def test_the_right_password_works_again_after_the_cool_off(staff, page):
    fail(page, 3)
    assert log_in(page, "staff", "staff-password").status_code == 429

    # when the cool-off has passed since the last failure
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=11))

    assert logged_in(log_in(page, "staff", "staff-password"))


def test_a_successful_login_resets_the_count(staff):
    fail("/accounts/login/", 2)
    assert logged_in(log_in("/accounts/login/", "staff", "staff-password"))

    assert fail("/accounts/login/", 2) == [200, 200]
