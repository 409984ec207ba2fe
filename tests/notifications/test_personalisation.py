"""{name}, {phone}, {email} filled per recipient; bad templates are a 400 before anything starts."""

import pytest

from jobs.models import BackgroundJob
from notifications.demo import link_tags
from notifications.models import Contact
from tests.fakes.smtp_server import SmtpServer

from .conftest import gateway_env, numbers, queue_lengths, wait_finished

pytestmark = pytest.mark.django_db(transaction=True)
SMS_URL = "/notifications/api/sms/bulk/"
EMAIL_URL = "/notifications/api/email/bulk/"


def test_sms_bodies_are_personalised_per_recipient(worker_factory, gateway, alice_client):
    # given two contacts and one number without a contact
    ali, sara, stranger = numbers(3)
    Contact.objects.create(name="Ali", phone=ali)
    Contact.objects.create(name="سارا", phone=sara)
    worker_factory(env=gateway_env(gateway))

    # when
    response = alice_client.post(
        SMS_URL, {"recipients": [ali, sara, stranger], "message": "Hi {name}! Your number: {phone}"}, format="json"
    )
    other = numbers(1, start=50)[0]
    escaped = alice_client.post(SMS_URL, {"recipients": [other], "message": "Use {{code}}"}, format="json")

    # then
    assert response.status_code == 202, response.content
    job = wait_finished(BackgroundJob.objects.get(pk=response.json()["jobId"]))
    wait_finished(BackgroundJob.objects.get(pk=escaped.json()["jobId"]))
    assert job.status == BackgroundJob.Status.COMPLETED
    assert gateway.bodies.pop(other) == "Use {code}"  # literal braces, written doubled
    assert gateway.bodies == {
        ali: f"Hi Ali! Your number: {ali}",
        sara: f"Hi سارا! Your number: {sara}",
        stranger: f"Hi ! Your number: {stranger}",
    }


def test_email_subject_and_body_are_personalised_per_recipient(worker_factory, alice_client):
    with SmtpServer() as smtp:
        # given contacts of a tag, one whose name tries to smuggle a header into the subject
        a = Contact.objects.create(name="Ana", email="ana@example.com")
        b = Contact.objects.create(name="Bo\r\nBcc: evil@example.com", email="bo@example.com")
        link_tags({a.pk: ["vip"], b.pk: ["vip"]})
        worker_factory(env={"EMAIL_URL": smtp.url, "DEFAULT_FROM_EMAIL": "crm@example.com"})

        # when
        response = alice_client.post(
            EMAIL_URL, {"tag": "vip", "subject": "Hello {name}", "message": "Dear {name} <{email}>"}, format="json"
        )

        # then
        assert response.status_code == 202, response.content
        job = wait_finished(BackgroundJob.objects.get(pk=response.json()["jobId"]))
        assert job.status == BackgroundJob.Status.COMPLETED
        by_to = {m["To"]: m for m in smtp.handler.messages}
        assert set(by_to) == {"ana@example.com", "bo@example.com"}
        assert by_to["ana@example.com"]["Subject"] == "Hello Ana"
        assert by_to["ana@example.com"].get_payload(decode=True).decode().strip() == "Dear Ana <ana@example.com>"
        assert by_to["bo@example.com"]["Subject"] == "Hello Bo Bcc: evil@example.com"
        assert by_to["bo@example.com"]["Bcc"] is None
        assert smtp.handler.received == {"ana@example.com": 1, "bo@example.com": 1}


@pytest.mark.parametrize(
    "message, field_shown",
    [
        ("Hi {nickname}", "{nickname}"),
        ("Hi {name.__class__}", "{name.__class__}"),
        ("Hi {name[0]}", "{name[0]}"),
        ("Hi {0}", "{0}"),
        ("Hi {}", "{}"),
        ("Hi {name!r}", "{name!r}"),
        ("Hi {name:>300}", "{name:>300}"),
    ],
)
def test_unknown_or_unsafe_fields_are_a_400_naming_them(alice_client, purge_queues, message, field_shown):
    response = alice_client.post(SMS_URL, {"recipients": numbers(1), "message": message}, format="json")

    assert response.status_code == 400
    assert field_shown in response.json()["errors"]["message"][0]
    assert BackgroundJob.objects.count() == 0 and sum(queue_lengths().values()) == 0


def test_unbalanced_braces_are_a_400(alice_client):
    response = alice_client.post(SMS_URL, {"recipients": numbers(1), "message": "Hi {name"}, format="json")

    assert response.status_code == 400 and response.json()["errors"]["message"]


def test_sms_segments_count_the_longest_rendered_message(alice_client, purge_queues):
    # given a contact whose name makes the message longer than SMS_MAX_SEGMENTS (6 x 153)
    long, short = numbers(2)
    Contact.objects.create(name="x" * 200, phone=long)  # the longest name a contact can have
    Contact.objects.create(name="Al", phone=short)
    message = "Hi {name}, " + "a" * 750  # 5 segments with "Al", 7 with the long name

    # when / then: refused with it, fine without it
    with_long = alice_client.post(SMS_URL, {"recipients": [long, short], "message": message}, format="json")
    assert with_long.status_code == 400 and "6" in with_long.json()["errors"]["message"][0]
    assert BackgroundJob.objects.count() == 0
    assert alice_client.post(SMS_URL, {"recipients": [short], "message": message}, format="json").status_code == 202


@pytest.mark.parametrize("subject", ["Hello\r\nBcc: evil@example.com", "Hello\nthere", "Hi\rthere"])
def test_line_breaks_in_an_email_subject_are_a_400(alice_client, purge_queues, subject):
    response = alice_client.post(
        EMAIL_URL, {"recipients": ["a@example.com"], "subject": subject, "message": "hi"}, format="json"
    )

    assert response.status_code == 400 and response.json()["errors"]["subject"]
    assert BackgroundJob.objects.count() == 0 and sum(queue_lengths().values()) == 0
