"""The Contact admin's consent actions change only the contacts that need it, and say how many."""

import pytest

from notifications.models import Contact

from .conftest import numbers

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "action, field, value",
    [("opt_out", "opted_out", True), ("opt_in", "opted_out", False), ("deactivate", "is_active", False),
     ("activate", "is_active", True)],
)  # fmt: skip
def test_consent_action_counts_only_the_contacts_it_changed(client, admin_user, action, field, value):
    a, b, c = Contact.objects.bulk_create([Contact(phone=p, **{field: not value}) for p in numbers(3)])
    Contact.objects.filter(pk=a.pk).update(**{field: value})  # already as the action wants
    client.force_login(admin_user)

    response = client.post(
        "/admin/notifications/contact/", {"action": action, "_selected_action": [a.pk, b.pk]}, follow=True
    )

    assert "2 contacts updated." not in response.content.decode()
    assert "1 contact updated." in response.content.decode()
    assert dict(Contact.objects.values_list("pk", field)) == {a.pk: value, b.pk: value, c.pk: not value}
