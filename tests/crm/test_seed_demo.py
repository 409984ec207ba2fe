"""`manage.py seed_demo` (run by every `make run`) is idempotent."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def seed(**options):
    out = StringIO()
    call_command("seed_demo", contacts=10, stdout=out, **options)
    return out.getvalue()


def test_seed_demo_creates_the_demo_superuser(settings):
    settings.DEBUG = True

    seed()

    user = get_user_model().objects.get(username="demo")
    assert user.is_staff and user.is_superuser
    assert user.check_password("demo")


def test_seed_demo_twice_keeps_one_user_and_its_changed_password(settings):
    # given a seeded instance whose demo user changed its password
    settings.DEBUG = True
    seed()
    user = get_user_model().objects.get(username="demo")
    user.set_password("changed-by-me")
    user.save()

    # when
    output = seed()

    # then
    assert get_user_model().objects.filter(username="demo").count() == 1
    assert get_user_model().objects.get(username="demo").check_password("changed-by-me")
    assert "left unchanged" in output


def test_seed_demo_tops_up_contacts_without_duplicating_them(settings):
    from notifications.models import Contact

    settings.DEBUG = True

    seed()
    seed()

    assert Contact.objects.count() == 10


def test_seed_demo_refuses_when_debug_is_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError):
        seed()

    assert not get_user_model().objects.filter(username="demo").exists()
