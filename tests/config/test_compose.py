"""docker-compose.yml runs what `make run` runs (the Procfile), production-style.

No Docker engine runs the tests, so this reads the files: every Procfile
process has its compose service(s) with a matching command."""

import re
import shlex

import pytest
import yaml

from tests.config.procfile import procfile
from tests.workers import ALL_QUEUES, BASE_DIR


@pytest.fixture(scope="module")
def services():
    return yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())["services"]


def argv(service) -> list[str]:
    command = service.get("command", [])
    return shlex.split(command) if isinstance(command, str) else list(command)


def celery_services(services, subcommand):
    """{name: argv} of services running `celery -A config <subcommand>`."""
    return {name: argv(s) for name, s in services.items() if argv(s)[:4] == ["celery", "-A", "config", subcommand]}


def option(args, *names):
    """Value of a command-line option given as `--name value` or `--name=value`."""
    for i, arg in enumerate(args):
        for name in names:
            if arg == name:
                return args[i + 1]
            if arg.startswith(name + "="):
                return arg.split("=", 1)[1]
    return None


def queues(args):
    return set(option(args, "-Q", "--queues").split(","))


def test_every_procfile_process_has_a_compose_service(services):
    processes = procfile()
    assert set(processes) == {"valkey", "web", "worker", "urgent", "beat", "flower"}
    assert processes["valkey"] == ["python", "-m", "config.valkey"]  # compose runs a real redis instead
    assert processes["urgent"][:4] == ["celery", "-A", "config", "worker"]
    for name in ("worker", "beat", "flower"):
        assert processes[name][:4] == ["celery", "-A", "config", name]
        assert celery_services(services, name), f"no compose service runs `celery {name}`"
    assert "web" in services


def test_web_runs_gunicorn_after_migrating(services):
    command = " ".join(argv(services["web"]))

    assert re.search(r"manage\.py migrate --noinput && exec gunicorn config\.wsgi\b", command)
    assert "runserver" not in command
    assert procfile()["web"][:3] == ["python", "manage.py", "runserver"]


def test_compose_workers_consume_exactly_the_procfile_workers_queues(services):
    workers = celery_services(services, "worker")
    consumed = [q for args in workers.values() for q in queues(args)]

    assert queues(procfile()["worker"]) == set(ALL_QUEUES.split(","))
    assert sorted(consumed) == sorted(ALL_QUEUES.split(","))  # every queue, each in one group


def test_worker_groups_follow_the_workload(services):
    groups = {frozenset(queues(args)): args for args in celery_services(services, "worker").values()}

    assert option(groups[frozenset({"notifications", "emails"})], "-P", "--pool") == "threads"
    assert option(groups[frozenset({"reports"})], "-P", "--pool") == "prefork"
    assert frozenset({"default", "maintenance"}) in groups
    assert queues(procfile()["urgent"]) == {"urgent"}  # the high lane's own worker, in both
    assert option(groups[frozenset({"urgent"})], "-P", "--pool") == "threads"
    names = [option(args, "-n", "--hostname") for args in groups.values()]
    assert all(names) and len(set(names)) == len(names)


def test_exactly_one_beat_with_the_database_scheduler(services):
    beats = celery_services(services, "beat")
    scheduler = "django_celery_beat.schedulers:DatabaseScheduler"

    assert len(beats) == 1
    (name, args), *_ = beats.items()
    assert option(args, "-S", "--scheduler") == scheduler == option(procfile()["beat"], "-S", "--scheduler")
    assert services[name].get("deploy", {}).get("replicas", 1) == 1
    for other in services.values():
        assert "-B" not in argv(other) and "--beat" not in argv(other), "never run beat inside a worker"


def test_flower_uses_the_same_config_with_auth_and_persistent_state(services):
    (name, args), *rest = celery_services(services, "flower").items()
    flower = services[name]

    assert not rest
    assert option(args, "--conf") == option(procfile()["flower"], "--conf") == "config/flowerconfig.py"
    assert flower["environment"]["FLOWER_BASIC_AUTH"].startswith("${FLOWER_BASIC_AUTH:?")  # required, no default
    assert any(volume.endswith(":/app/var/flower") for volume in flower["volumes"])


def test_redis_is_durable(services):
    redis = services["redis"]
    command = argv(redis)

    assert option(command, "--appendonly") == "yes"
    assert option(command, "--maxmemory-policy") == "noeviction"
    assert any(volume.endswith(":/data") for volume in redis["volumes"])


def test_app_services_use_postgres_and_the_compose_broker_in_production_mode(services):
    for name in ("web", "beat", "flower", *celery_services(services, "worker")):
        env = services[name]["environment"]
        assert env["DEBUG"] == "false", name
        assert env["DATABASE_URL"].startswith("postgres://") and "@postgres:5432/" in env["DATABASE_URL"], name
        assert env["REDIS_URL"] == "redis://redis:6379/0", name
        assert env["CELERY_BROKER_URL"] == "${CELERY_BROKER_URL:-redis://redis:6379/0}", name
        assert env["SECRET_KEY"].startswith("${SECRET_KEY:?"), name


def test_services_have_healthchecks_and_wait_for_healthy_dependencies(services):
    for name, service in services.items():
        assert "test" in service.get("healthcheck", {}), f"{name} has no healthcheck"
        for dependency, condition in service.get("depends_on", {}).items():
            assert condition["condition"] == "service_healthy", f"{name} -> {dependency}"
            assert dependency in services
            # only a dependency in a profile is optional (it may not run)
            assert condition.get("required", True) is bool(not services[dependency].get("profiles")), dependency


def test_dockerfile_builds_one_image_serving_with_gunicorn():
    dockerfile = (BASE_DIR / "Dockerfile").read_text()

    assert dockerfile.startswith("#") and "FROM python:3.11" in dockerfile
    assert "pip install --require-hashes -r requirements.lock" in dockerfile
    assert "collectstatic" in dockerfile
    assert re.search(r'CMD \["gunicorn", "config\.wsgi"', dockerfile)


def test_rabbitmq_profile_runs_rabbitmq_as_the_broker_beside_redis(services):
    rabbitmq, compose = services["rabbitmq"], (BASE_DIR / "docker-compose.yml").read_text()
    env = rabbitmq["environment"]
    # the documented broker URL names the profile's user, host and vhost
    url = re.search(r"CELERY_BROKER_URL=(\S+) docker compose --profile rabbitmq up", compose).group(1)

    assert rabbitmq["profiles"] == ["rabbitmq"] and "profiles" not in services["redis"]  # Redis: the rate limiter
    assert url == f"amqp://{env['RABBITMQ_DEFAULT_USER']}:crm@rabbitmq:5672/{env['RABBITMQ_DEFAULT_VHOST']}"
    assert any(volume.endswith(":/var/lib/rabbitmq") for volume in rabbitmq["volumes"])  # durable queues survive
    assert rabbitmq["hostname"]  # a fixed node name keeps the data directory
    timeout_ms = int(re.search(r"consumer_timeout (\d+)", env["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"]).group(1))
    assert timeout_ms > 1800 * 1000  # above REPORTS_TIME_LIMIT's default, the longest task
    for name in ("web", "beat", "flower", *celery_services(services, "worker")):
        assert services[name]["depends_on"]["rabbitmq"] == {"condition": "service_healthy", "required": False}, name
