"""/accounts/api-token/: a user creates a token, sees it once, uses it, revokes it."""

import re

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db
PAGE = "/accounts/api-token/"


@pytest.fixture
def browser(alice):
    client = Client()
    client.force_login(alice)
    return client


def shown_key(response):
    match = re.search(r'<code[^>]*id="tokenKey">(\w+)</code>', response.content.decode())
    return match and match.group(1)


def api_status(key):
    return APIClient().get("/jobs/api/active/", HTTP_AUTHORIZATION=f"Token {key}").status_code


def test_the_header_user_menu_links_to_the_page(browser):
    assert f'href="{PAGE}"' in browser.get("/").content.decode()


def test_a_user_without_a_token_can_create_one(browser):
    response = browser.get(PAGE)

    assert "You have no API token." in response.content.decode()
    assert shown_key(response) is None


def test_the_new_token_is_shown_once_and_authenticates(browser, alice):
    response = browser.post(f"{PAGE}create/", follow=True)

    key = shown_key(response)
    assert key == Token.objects.get(user=alice).key
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    assert api_status(key) == 200
    # a second visit tells that a token exists, without its key
    again = browser.get(PAGE)
    assert shown_key(again) is None and key not in again.content.decode()
    assert "You have a token" in again.content.decode()


def test_revoking_the_token_stops_it_authenticating(browser, alice):
    key = shown_key(browser.post(f"{PAGE}create/", follow=True))

    response = browser.post(f"{PAGE}revoke/", follow=True)

    assert "Your API token was revoked" in response.content.decode()
    assert not Token.objects.filter(user=alice).exists()
    assert api_status(key) == 401


def test_a_new_token_replaces_the_old_one(browser):
    old = shown_key(browser.post(f"{PAGE}create/", follow=True))
    new = shown_key(browser.post(f"{PAGE}create/", follow=True))

    assert new != old
    assert (api_status(old), api_status(new)) == (401, 200)


def test_users_only_touch_their_own_token(browser, bob):
    bobs = Token.objects.create(user=bob)

    browser.post(f"{PAGE}revoke/")

    assert Token.objects.filter(pk=bobs.pk).exists()
    assert bobs.key not in browser.get(PAGE).content.decode()


def test_the_page_needs_a_login():
    response = Client().get(PAGE)

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_changes_need_a_post_with_csrf(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    assert client.get(f"{PAGE}create/").status_code == 405
    assert client.post(f"{PAGE}create/").status_code == 403
    assert not Token.objects.filter(user=alice).exists()


def test_the_page_is_translated(browser):
    response = browser.get(PAGE, HTTP_ACCEPT_LANGUAGE="ar")

    assert "ليس لديك رمز API." in response.content.decode()
