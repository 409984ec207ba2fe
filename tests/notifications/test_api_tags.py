"""GET /notifications/api/tags/: the tag picker's tags with their reachable contact counts."""

import pytest
from django.urls import reverse

from notifications.models import Contact, Tag

pytestmark = pytest.mark.django_db


def contact(tags, **fields):
    c = Contact.objects.create(**fields)
    c.tags.set([Tag.objects.get_or_create(name=name)[0] for name in tags])
    return c


def test_it_lists_tags_with_active_contact_counts(alice_client):
    # given: two reachable vip contacts, one opted out, one inactive, and an empty tag
    contact(["vip", "lead"], phone="+989120000001")
    contact(["vip"], phone="+989120000002", email="b@example.com")
    contact(["vip"], phone="+989120000003", opted_out=True)
    contact(["lead"], phone="+989120000004", is_active=False)
    Tag.objects.create(name="empty")

    response = alice_client.get(reverse("notifications:api-tags"))

    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "tags": [{"name": "empty", "contacts": 0}, {"name": "lead", "contacts": 1}, {"name": "vip", "contacts": 2}],
    }


def test_it_counts_only_contacts_with_an_address_on_the_channel(alice_client):
    contact(["vip"], phone="+989120000001")
    contact(["vip"], phone="+989120000002", email="b@example.com")

    tags = alice_client.get(reverse("notifications:api-tags"), {"channel": "email"}).json()["tags"]

    assert tags == [{"name": "vip", "contacts": 1}]


def test_anonymous_gets_no_tags(client):
    response = client.get(reverse("notifications:api-tags"))

    assert response.status_code in (401, 403)
    assert "tags" not in response.json()
