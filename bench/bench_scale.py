"""Scale-out: bulk-send throughput on one worker host vs two; tracked no-op jobs on Redis vs RabbitMQ.

Same run, same machine, same gateway:
- bulk sends: 2,000 SMS through the fake HTTP gateway (20 ms per request) with one
  worker host, then with two. As root with `ip netns` and socat, each host is a
  network namespace reaching the broker, Redis and the gateway over its own veth
  (tests/hosts.py); otherwise two worker processes on this machine stand in for
  two hosts (printed). A 2-core machine shared with other work caps the gain:
  the figure is the ratio two/one, measured back to back.
- tracked no-op jobs (start_job + JobTask, as bench_jobs) per second with Redis
  (the session's Valkey) as the broker and with RabbitMQ on 127.0.0.1:5672 (a
  private vhost), one worker on each, rounds alternating; the median ratio
  RabbitMQ/Redis of adjacent rounds. Skipped when no RabbitMQ answers.
"""

import os
import socket
import time

from bench.common import median, ratio_row, row

SENDS = int(os.environ.get("BENCH_SCALE_SENDS", "2000"))
JOBS = int(os.environ.get("BENCH_SCALE_JOBS", "150"))
ROUNDS = int(os.environ.get("BENCH_SCALE_ROUNDS", "3"))
RABBITMQ_URL = os.environ.get("BENCH_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
CONCURRENCY, THREADS, LATENCY = 2, 8, 0.02


def run():
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(username="bench-scale")
    row("machine: CPUs / load average (1 min) at start", f"{os.cpu_count()} / {os.getloadavg()[0]:.1f}", "", "(shared)")
    bulk_sends_on_one_and_two_hosts(user)
    jobs_on_redis_and_rabbitmq(user)


# --- bulk sends: one host vs two ------------------------------------------------------------


def bulk_sends_on_one_and_two_hosts(user):
    from bench.bench_notifications import accept_rate, purge, send_and_wait
    from tests.fakes.sms_gateway import FakeSmsGateway
    from tests.hosts import NetnsHost, unavailable

    why_not = unavailable()
    kind = "network-namespace hosts" if not why_not else f"worker processes on this host ({why_not})"
    row(f"worker hosts: {kind}", "", "")
    purge()
    rates = {}
    with FakeSmsGateway(latency=LATENCY) as gateway:
        for n_hosts in (1, 2):
            hosts, workers = [], []
            try:
                for index in range(n_hosts):
                    if why_not:
                        workers.append(_worker(gateway.url))
                    else:
                        host = NetnsHost(10 + index).start()
                        hosts.append(host)
                        workers.append(host.worker(**_host_worker_options(host, gateway)))
                send_and_wait(user, 200, offset=800_000 + n_hosts * 1000)  # warm-up: connections, imports
                gateway.reset()
                elapsed = send_and_wait(user, SENDS, offset=700_000 + n_hosts * 10_000)
                rates[n_hosts] = accept_rate(gateway)
                per_host = ""
                if hosts:
                    per_host = "per host " + " / ".join(str(gateway.accepted_from[h.ip]) for h in hosts)
                row(f"bulk sends/s, {n_hosts} worker host(s), {SENDS} sends", f"{rates[n_hosts]:.0f}", "/s", per_host)
                row(f"  {SENDS} sends end to end (trigger -> Completed)", f"{elapsed:.2f}", "s")
            finally:
                for worker in workers:
                    worker.stop()
                for host in hosts:
                    host.stop()
    ideal = CONCURRENCY * THREADS / LATENCY
    row("  ideal per host (in-flight / gateway latency)", f"{ideal:.0f}", "/s")
    row("bulk throughput ratio two hosts / one host", f"{rates[2] / rates[1]:.2f}", "x", "(2 CPUs shared by all)")


def _env(gateway_url):
    return {
        "SMS_BACKEND": "http",
        "SMS_GATEWAY_URL": gateway_url,
        "SMS_GATEWAY_API_KEY": "test-key",
        "BULK_SEND_CONCURRENCY": str(THREADS),
        "LOG_LEVEL": "WARNING",
    }


def _worker(gateway_url):
    from tests.workers import SEND_QUEUES, WorkerProcess

    return WorkerProcess(queues=SEND_QUEUES, concurrency=CONCURRENCY, env=_env(gateway_url)).start()


def _host_worker_options(host, gateway):
    from django.conf import settings

    env = {
        **_env(gateway.listen(host.host_ip)),
        "CELERY_BROKER_URL": host.reach(settings.CELERY_BROKER_URL),
        "REDIS_URL": host.reach(settings.REDIS_URL),
    }
    if not os.environ["DATABASE_URL"].startswith("sqlite"):  # a file needs no network
        env["DATABASE_URL"] = host.reach(os.environ["DATABASE_URL"])
    return {"queues": "notifications", "concurrency": CONCURRENCY, "env": env, "name": f"{host.ns}@%h"}


# --- tracked no-op jobs: Redis vs RabbitMQ ----------------------------------------------------


def jobs_on_redis_and_rabbitmq(user):
    from django.conf import settings

    from bench.bench_jobs import Succeeded
    from config.celery import app
    from crm.tasks import noop_job
    from jobs.tracking import start_job
    from tests.workers import RabbitVhost, WorkerProcess, use_broker

    if not _answers("127.0.0.1", 5672):
        row("tracked no-op jobs on RabbitMQ", "skipped", "", "(nothing answers on 127.0.0.1:5672)")
        return
    vhost = RabbitVhost(RABBITMQ_URL).start()
    brokers = {"Redis": settings.CELERY_BROKER_URL, "RabbitMQ": vhost.url}
    running = []  # (worker, event receiver) per broker, both up for the whole comparison

    def jobs(n):
        return [start_job(noop_job, user=user, job_type=4, title="noop").task_id for _ in range(n)]

    def per_second(broker, n):
        use_broker(brokers[broker])
        started = time.perf_counter()
        receivers[broker].wait(jobs(n))
        return n / (time.perf_counter() - started)

    receivers = {}
    try:
        for broker, url in brokers.items():
            use_broker(url)
            worker = WorkerProcess(queues="maintenance", concurrency=CONCURRENCY, env={"LOG_LEVEL": "WARNING"})
            running.append(worker.start())
            receivers[broker] = Succeeded(app)
            per_second(broker, 20)  # warm-up
        rounds = [(per_second("Redis", JOBS), per_second("RabbitMQ", JOBS)) for _ in range(ROUNDS)]
    finally:
        for receiver in receivers.values():
            receiver.stop()
        for worker in running:
            worker.stop()
        use_broker(brokers["Redis"])
        vhost.stop()
    redis_rates, rabbit_rates = zip(*rounds, strict=True)
    label = f"({JOBS}/round, median of {ROUNDS})"
    row(f"tracked no-op jobs/s on Redis {label}", f"{median(redis_rates):.0f}", "jobs/s")
    row(f"tracked no-op jobs/s on RabbitMQ {label}", f"{median(rabbit_rates):.0f}", "jobs/s")
    ratio_row(
        "tracked jobs ratio RabbitMQ / Redis (adjacent rounds)", [rabbit / redis for redis, rabbit in rounds], "x"
    )


def _answers(host, port) -> bool:
    try:
        socket.create_connection((host, port), timeout=3).close()
        return True
    except OSError:
        return False
