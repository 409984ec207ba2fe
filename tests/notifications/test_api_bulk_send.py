"""POST /notifications/api/<channel>/bulk/: validation before anything is enqueued."""

import pytest
from rest_framework.test import APIClient

from jobs.models import BackgroundJob
from notifications.demo import link_tags
from notifications.models import Campaign, Contact, Delivery

from .conftest import numbers, queue_lengths

pytestmark = pytest.mark.django_db(transaction=True)
SMS_URL = "/notifications/api/sms/bulk/"
EMAIL_URL = "/notifications/api/email/bulk/"


def assert_nothing_started():
    assert BackgroundJob.objects.count() == 0
    assert Campaign.objects.count() == 0
    assert Delivery.objects.count() == 0
    assert sum(queue_lengths().values()) == 0


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"recipients": [], "message": "hi"}, "recipients"),
        ({"recipients": ["nope", "123", ""], "message": "hi"}, "recipients"),
        ({"recipients": ["nope", "123"], "message": "hi", "skip_invalid": True}, "recipients"),
        ({"recipients": ["09121234567"], "message": "   "}, "message"),
        ({"recipients": ["09121234567"], "message": "a" * 161 * 6}, "message"),
        ({"recipients": ["09121234567"], "message": "س" * (67 * 6 + 1)}, "message"),
        ({"recipients": ["09121234567"]}, "message"),
        ({"message": "hi"}, "recipients"),
        ({"recipients": ["09121234567"], "tag": "vip", "message": "hi"}, "recipients"),
        ({"recipients": "09121234567", "message": "hi"}, "recipients"),
        ({"tag": "no-such-tag", "message": "hi"}, "tag"),
    ],
)
def test_bad_sms_request_gets_400_with_field_errors_and_nothing_enqueued(alice_client, purge_queues, payload, field):
    response = alice_client.post(SMS_URL, payload, format="json")

    assert response.status_code == 400
    assert response.json()["success"] is False
    assert field in response.json()["errors"]
    assert_nothing_started()


def test_invalid_numbers_are_listed_by_position(alice_client, purge_queues):
    response = alice_client.post(
        SMS_URL, {"recipients": ["09121234567", "bad", "+98912"], "message": "hi"}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()["errors"]["recipients"]) == {"1", "2"}
    assert_nothing_started()


def test_audience_over_the_maximum_is_refused(alice_client, purge_queues, settings):
    settings.BULK_MAX_AUDIENCE = 10

    response = alice_client.post(SMS_URL, {"recipients": numbers(11), "message": "hi"}, format="json")

    assert response.status_code == 400
    assert "maximum" in response.json()["errors"]["recipients"][0]
    assert_nothing_started()


def test_tag_audience_over_the_maximum_is_refused(alice_client, purge_queues, settings):
    settings.BULK_MAX_AUDIENCE = 3
    contacts = Contact.objects.bulk_create([Contact(phone=p) for p in numbers(4)])
    link_tags({c.pk: ["vip"] for c in Contact.objects.filter(pk__in=[c.pk for c in contacts])})

    response = alice_client.post(SMS_URL, {"tag": "vip", "message": "hi"}, format="json")

    assert response.status_code == 400
    assert "tag" in response.json()["errors"]
    assert_nothing_started()


def test_unknown_channel_is_a_400(alice_client, purge_queues):
    response = alice_client.post(
        "/notifications/api/fax/bulk/", {"recipients": ["09121234567"], "message": "hi"}, format="json"
    )

    assert response.status_code == 400
    assert "channel" in response.json()["errors"]
    assert_nothing_started()


def test_malformed_json_is_a_400(alice_client, purge_queues):
    response = alice_client.post(SMS_URL, data='{"recipients": [', content_type="application/json")

    assert response.status_code == 400
    assert response.json()["errors"]
    assert_nothing_started()


def test_a_json_list_body_is_a_400(alice_client, purge_queues):
    response = alice_client.post(SMS_URL, data="[1, 2]", content_type="application/json")

    assert response.status_code == 400
    assert_nothing_started()


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"recipients": ["not-an-address"], "subject": "News", "message": "hi"}, "recipients"),
        ({"recipients": ["a@example.com"], "message": "hi"}, "subject"),
        ({"recipients": ["a@example.com"], "subject": "News", "message": ""}, "message"),
    ],
)
def test_bad_email_request_gets_400(alice_client, purge_queues, payload, field):
    response = alice_client.post(EMAIL_URL, payload, format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert_nothing_started()


def test_anonymous_user_is_refused(client, purge_queues):
    response = client.post(SMS_URL, {"recipients": ["09121234567"], "message": "hi"}, content_type="application/json")

    assert response.status_code in (401, 403)
    assert_nothing_started()


def test_valid_list_starts_one_job_and_enqueues_only_the_planner(alice, alice_client, purge_queues):
    # given duplicates, an opted-out contact and (skipped) invalid entries
    Contact.objects.create(phone="+989120000002", opted_out=True)
    payload = {
        "recipients": ["09120000000", "+989120000000", "0912 000 0001", "+989120000002", "bad"],
        "message": "Hello",
        "skip_invalid": True,
    }

    response = alice_client.post(SMS_URL, payload, format="json")

    assert response.status_code == 202
    body = response.json()
    assert body["success"] is True and body["message"]
    job = BackgroundJob.objects.get(pk=body["jobId"])
    assert (job.created_by, job.job_type, job.total_items, job.status) == (alice, 0, 2, BackgroundJob.Status.PENDING)
    assert job.title == "Send SMS to 2 numbers"
    campaign = Campaign.objects.get(pk=body["campaignId"])
    assert campaign.recipients == ["+989120000000", "+989120000001"]
    assert (body["skippedInvalid"], body["duplicates"], body["excluded"]) == (1, 1, 1)
    assert Delivery.objects.count() == 0  # the ledger is built by the worker
    assert queue_lengths()["urgent"] == 1  # a small send: the high lane's queue


@pytest.mark.parametrize("scan", [5000, 3], ids=["few-suppressed-read-at-once", "many-suppressed-looked-up"])
def test_a_long_list_leaves_out_exactly_its_opted_out_and_inactive_contacts(
    alice_client, purge_queues, monkeypatch, scan
):
    # given a list of 2,500 numbers, four of them opted out or inactive, two suppressed
    # contacts not on the list, and reachable contacts
    monkeypatch.setattr("notifications.audience.SUPPRESSED_SCAN", scan)
    listed = numbers(2500)
    Contact.objects.bulk_create(
        [Contact(phone=listed[i], opted_out=True) for i in (0, 2001)]
        + [Contact(phone=listed[i], is_active=False) for i in (7, 2499)]
        + [Contact(phone=p, opted_out=True) for p in numbers(2, start=5000)]
        + [Contact(phone=listed[i]) for i in (1, 2000)]
    )

    # when
    response = alice_client.post(SMS_URL, {"recipients": listed, "message": "Hi"}, format="json")

    # then exactly those four are left out
    assert response.status_code == 202
    assert response.json()["excluded"] == 4
    campaign = Campaign.objects.get(pk=response.json()["campaignId"])
    assert campaign.recipients == [p for i, p in enumerate(listed) if i not in (0, 7, 2001, 2499)]


def test_tag_audience_starts_a_job_named_for_the_tag(alice_client, purge_queues):
    contacts = Contact.objects.bulk_create(
        [Contact(phone=p, email=f"c{i}@example.com") for i, p in enumerate(numbers(5))]
    )
    link_tags({c.pk: ["vip"] for c in Contact.objects.all()})
    Contact.objects.filter(phone=contacts[0].phone).update(opted_out=True)
    Contact.objects.filter(phone=contacts[1].phone).update(is_active=False)

    response = alice_client.post(EMAIL_URL, {"tag": "vip", "subject": "News", "message": "Hi"}, format="json")

    assert response.status_code == 202
    job = BackgroundJob.objects.get(pk=response.json()["jobId"])
    assert (job.job_type, job.title) == (1, "Send email to contacts tagged “vip”")
    assert queue_lengths()["emails"] == 1  # the planner counts the 3 reachable contacts


def test_tag_whose_contacts_all_opted_out_is_refused(alice_client, purge_queues):
    Contact.objects.bulk_create([Contact(phone=p, opted_out=True) for p in numbers(2)])
    link_tags({c.pk: ["vip"] for c in Contact.objects.all()})

    response = alice_client.post(SMS_URL, {"tag": "vip", "message": "hi"}, format="json")

    assert response.status_code == 400
    assert "tag" in response.json()["errors"]
    assert_nothing_started()


def test_repeated_request_with_the_same_idempotency_key_starts_one_send(alice_client, purge_queues):
    payload = {"recipients": ["09121234567"], "message": "Hello"}

    first = alice_client.post(SMS_URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="abc")
    second = alice_client.post(SMS_URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="abc")
    other = alice_client.post(SMS_URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="xyz")

    assert first.status_code == second.status_code == other.status_code == 202
    assert first.json()["jobId"] == second.json()["jobId"] != other.json()["jobId"]
    assert first.json()["campaignId"] == second.json()["campaignId"]
    assert (BackgroundJob.objects.count(), Campaign.objects.count()) == (2, 2)
    assert queue_lengths()["urgent"] == 2  # small sends: the high lane's queue


def test_urgent_sends_go_ahead_of_bulk_but_only_staff_may_ask(alice_client, staff, purge_queues):
    payload = {"recipients": [f"+98912000{i:04d}" for i in range(150)], "message": "Hi", "urgent": True}
    # alice is not staff: a 400, nothing started
    response = alice_client.post(SMS_URL, payload, format="json")
    assert response.status_code == 400
    assert "urgent" in response.json()["errors"]
    assert_nothing_started()

    staff_client = APIClient()
    staff_client.force_authenticate(staff)
    response = staff_client.post(SMS_URL, payload, format="json")
    assert response.status_code == 202
    urgent_job = BackgroundJob.objects.get(pk=response.json()["jobId"])
    bulk = staff_client.post(SMS_URL, {**payload, "urgent": False}, format="json").json()["jobId"]
    bulk_job = BackgroundJob.objects.get(pk=bulk)
    assert urgent_job.priority > bulk_job.priority
    assert (urgent_job.queue, bulk_job.queue) == ("urgent", "notifications")  # the high lane's own worker
