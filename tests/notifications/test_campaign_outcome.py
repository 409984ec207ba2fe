"""A finished campaign through a gateway that rejects some numbers: the owner sees who
failed and why (API, CSV, job summary) and retries exactly the failed recipients."""

import csv
import io

import pytest
from django.utils import translation

from jobs.models import BackgroundJob
from notifications.audience import resolve_audience
from notifications.campaigns import start_campaign
from notifications.models import Campaign, Delivery

from .conftest import gateway_env, numbers, wait_finished

pytestmark = pytest.mark.django_db(transaction=True)


def api(client, path, **params):
    response = client.get(f"/notifications/api/campaigns/{path}", params)
    assert response.status_code == 200, response.content
    return response.json()


def csv_rows(client, campaign):
    response = client.get(f"/notifications/campaigns/{campaign.pk}/deliveries.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def job_json(client, job, language="en"):
    return client.get(f"/jobs/api/{job.pk}/", HTTP_ACCEPT_LANGUAGE=language).json()["job"]


def test_it_shows_who_failed_why_and_retries_exactly_them(worker_factory, gateway, alice, alice_client, bob_client):
    # given 120 numbers, 7 of them rejected by the provider
    recipients = numbers(120)
    rejected = set(recipients[10:17])
    gateway.reject = rejected
    worker_factory(env=gateway_env(gateway))

    # when the campaign runs
    campaign = start_campaign(alice, resolve_audience("sms", recipients=recipients), body="Sale!")
    job = wait_finished(campaign.job)

    # then the outcome counts equal the ledger and the job
    assert job.status == BackgroundJob.Status.COMPLETED
    outcome = api(alice_client, f"{campaign.pk}/")["campaign"]
    sent, failed = campaign.deliveries.counts()
    assert (outcome["sent"], outcome["failed"], outcome["queued"], outcome["sending"]) == (113, 7, 0, 0)
    assert (sent, failed) == (job.success_count, job.failed_count) == (113, 7)
    assert (outcome["id"], outcome["jobId"], outcome["channel"], outcome["sendAt"]) == (
        campaign.pk,
        job.pk,
        "sms",
        None,
    )

    # the failed ones, with the provider's reason
    page = api(alice_client, f"{campaign.pk}/deliveries/", status="failed")
    assert {d["recipient"] for d in page["deliveries"]} == rejected
    assert page["next"] is None
    assert all("rejected" in d["error"] and d["attempts"] == 1 and d["sentAt"] is None for d in page["deliveries"])
    everything = api(alice_client, f"{campaign.pk}/deliveries/")
    assert len(everything["deliveries"]) == 50 and everything["next"] == 2

    # the CSV: a header, then one row per recipient
    rows = csv_rows(alice_client, campaign)
    assert rows[0] == ["recipient", "status", "error", "attempts", "sentAt"]
    assert sorted(r[0] for r in rows[1:]) == sorted(recipients)
    assert {r[0] for r in rows[1:] if r[1] == "failed"} == rejected

    # the job says what went wrong, in the reader's language; its status stays seed 000's
    item = job_json(alice_client, job)
    assert item["failureSummary"].startswith("7 of 120 failed: 7 × The SMS gateway rejected the message (400)")
    assert (item["statusText"], item["statusBadgeClass"], item["outcomeBadgeClass"]) == (
        "Completed",
        "bg-success",
        "bg-warning",
    )
    assert item["detailUrl"] == f"/notifications/campaigns/{campaign.pk}/"
    with translation.override("fa"):
        expected_head = translation.gettext("%(failed)s of %(total)s failed") % {"failed": "7", "total": "120"}
    assert expected_head != "7 of 120 failed"
    assert job_json(alice_client, job, "fa")["failureSummary"].startswith(expected_head)

    # nobody else sees any of it
    for path in (
        f"api/campaigns/{campaign.pk}/",
        f"api/campaigns/{campaign.pk}/deliveries/",
        f"campaigns/{campaign.pk}/deliveries.csv",
    ):
        response = bob_client.get(f"/notifications/{path}")
        assert response.status_code == 404 and response.json()["success"] is False
    assert bob_client.post(f"/notifications/api/campaigns/{campaign.pk}/retry-failed/").status_code == 404

    # given one failure was an interrupted send (the provider may have delivered it)
    unknown = sorted(rejected)[0]
    campaign.deliveries.filter(recipient=unknown).update(reason=Delivery.Reason.UNKNOWN, error="Outcome unknown")
    gateway.reject = set()

    # when the owner retries the failed
    response = alice_client.post(f"/notifications/api/campaigns/{campaign.pk}/retry-failed/", {}, format="json")

    # then a new campaign and job send exactly the other six, once each
    assert response.status_code == 202, response.content
    body = response.json()
    retry = Campaign.objects.get(pk=body["campaignId"])
    assert body["success"] is True and retry.job_id == body["jobId"] != job.pk and retry.retry_of_id == campaign.pk
    assert wait_finished(retry.job).status == BackgroundJob.Status.COMPLETED
    assert {r for r, n in gateway.accepted.items() if n} == (set(recipients) - {unknown})
    assert max(gateway.accepted.values()) == 1
    assert set(retry.deliveries.values_list("recipient", flat=True)) == rejected - {unknown}

    # the unknown one only when asked for
    response = alice_client.post(
        f"/notifications/api/campaigns/{campaign.pk}/retry-failed/", {"includeUnknown": True}, format="json"
    )
    assert response.status_code == 202
    again = Campaign.objects.get(pk=response.json()["campaignId"])
    wait_finished(again.job)
    assert list(again.deliveries.values_list("recipient", flat=True)) == [unknown]
    assert gateway.accepted[unknown] == 1

    # and a campaign without failures has nothing to retry
    response = alice_client.post(f"/notifications/api/campaigns/{retry.pk}/retry-failed/", {}, format="json")
    assert response.status_code == 400
    assert response.json()["success"] is False and response.json()["errors"]["campaign"]
    assert Campaign.objects.count() == 3
