"""Scale-out across hosts: two worker hosts (network namespaces with veth pairs to
this machine, where PostgreSQL, the broker and the fake gateway listen) share one
5,000-recipient send; one host is cut mid-send (processes killed, then its link
taken down) and the other finishes the job, with every recipient accepted once.

Runs only with `-m multihost` (.ci/run does), as root, on PostgreSQL:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scale .venv/bin/pytest -m multihost -s tests/scale
"""

import time

import pytest
from django.db import connection

from jobs.maintenance import reap_stuck_jobs
from jobs.models import BackgroundJob
from tests.fakes.sms_gateway import FakeSmsGateway
from tests.hosts import NetnsHost, unavailable
from tests.notifications.conftest import finished, gateway_env, numbers
from tests.notifications.test_sms_crash import assert_counters_match_ledger, start_sms
from tests.workers import session_database_url, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.multihost, pytest.mark.queue]
RECIPIENTS = 5000


@pytest.fixture
def two_hosts(django_db_setup, django_db_blocker, broker_url, purge_queues):
    if reason := unavailable():
        pytest.skip(f"two worker hosts: {reason}")
    if connection.vendor != "postgresql":
        pytest.skip("two worker hosts share one database: DATABASE_URL=postgres://postgres@127.0.0.1:5432/scale")
    hosts = []
    try:
        for index in (0, 1):
            hosts.append(NetnsHost(index).start())
        yield hosts
    finally:
        for host in hosts:
            host.stop()


@pytest.fixture
def gateway():
    with FakeSmsGateway(seed=1, latency=0.01) as server:
        yield server


def host_env(host, gateway):
    """A worker host's environment: every service through its own link."""
    from django.conf import settings

    return {
        **gateway_env(gateway, SMS_GATEWAY_URL=gateway.listen(host.host_ip)),
        "DATABASE_URL": host.reach(session_database_url()),
        "CELERY_BROKER_URL": host.reach(settings.CELERY_BROKER_URL),
        "REDIS_URL": host.reach(settings.REDIS_URL),
    }


def test_send_across_two_hosts_survives_losing_one(two_hosts, gateway, alice, settings):
    # given two worker hosts consuming every queue
    settings.JOBS_STUCK_AFTER = 3  # the reaper below runs here, as beat would run it
    doomed, survivor = two_hosts
    for host in two_hosts:
        host.worker(env=host_env(host, gateway), name=f"{host.ns}@%h")
    recipients = numbers(RECIPIENTS)

    # when a 5,000-recipient send is under way on both and one host is cut
    campaign = start_sms(alice, recipients)
    job = campaign.job
    wait_for(
        lambda: gateway.accepted_from[doomed.ip] >= 300 and gateway.accepted_from[survivor.ip] >= 300,
        timeout=120,
        message="both hosts to be sending",
    )
    doomed.cut()
    cut_at, sent_before_cut = time.monotonic(), gateway.total_accepted

    # then the other host finishes the job (the reaper resumes what the dead host held)
    def settled():
        if not finished(job):
            reap_stuck_jobs(inspect_timeout=0.5)
        return finished(job)

    wait_for(settled, timeout=240, interval=1, message="the job to finish on the surviving host")
    after_cut = time.monotonic() - cut_at
    print(
        f"\n[two hosts] {RECIPIENTS} recipients: {doomed.ns} sent {gateway.accepted_from[doomed.ip]}, "
        f"{survivor.ns} sent {gateway.accepted_from[survivor.ip]}; cut after {sent_before_cut} sends; "
        f"finished {after_cut:.1f}s after the cut; {gateway.duplicates} resends recognised by idempotency key"
    )
    assert job.status == BackgroundJob.Status.COMPLETED
    assert gateway.accepted == {r: 1 for r in recipients}
    assert gateway.accepted_from[doomed.ip] + gateway.accepted_from[survivor.ip] == RECIPIENTS
    assert job.success_count == RECIPIENTS
    assert_counters_match_ledger(job, campaign)
