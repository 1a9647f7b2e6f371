"""docker-compose.yml, its three-broker override, the Dockerfile and .env.example, checked without Docker."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import dockerfile
import pytest
from jsonschema import Draft202012Validator
from pydantic_settings import BaseSettings
from ruamel.yaml import YAML

from newsmon.serve import SERVICES
from services.alert import settings as settings_module
from streambase import settings as base_settings
from tests.conftest import REPO
from tests.unit.deploy.conftest import GRAFANA_DIR, PROMETHEUS_DIR

COMPOSE = REPO / "docker-compose.yml"
KAFKA3 = REPO / "docker-compose.kafka3.yml"
SCHEMA = Path(__file__).parent / "vendor" / "compose-spec.json"
INTERPOLATION = re.compile(r"\$\{([A-Z0-9_]+)(?::?[-?+][^}]*)?\}")
ENV_LINE = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=", re.MULTILINE)


def load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = YAML(typ="safe").load(path.read_text("utf-8"))
    return loaded


def known_settings() -> set[str]:
    """Every NEWSMON_* variable a settings class reads: its env prefix plus each field name."""
    names = set()
    for value in [*vars(settings_module).values(), *vars(base_settings).values()]:
        if isinstance(value, type) and issubclass(value, BaseSettings) and value is not BaseSettings:
            prefix = str(value.model_config.get("env_prefix", ""))
            names.update((prefix + field).upper() for field in value.model_fields)
    return names


def newsmon_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: svc for name, svc in compose["services"].items() if "build" in svc}


def environment(service: dict[str, Any]) -> dict[str, Any]:
    env = service.get("environment", {})
    if isinstance(env, list):
        return dict(item.split("=", 1) for item in env)
    return dict(env)


def dockerfile_instructions() -> list[dockerfile.Command]:
    """The Dockerfile as BuildKit's own parser reads it."""
    return list(dockerfile.parse_file(str(REPO / "Dockerfile")))


def final_stage() -> list[dockerfile.Command]:
    instructions = dockerfile_instructions()
    last_from = max(i for i, command in enumerate(instructions) if command.cmd == "FROM")
    return instructions[last_from:]


@pytest.mark.parametrize("path", [COMPOSE, KAFKA3], ids=lambda p: p.name)
def test_compose_file_follows_the_compose_specification(path: Path) -> None:
    validator = Draft202012Validator(json.loads(SCHEMA.read_text("utf-8")))
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(load(path))
    ]
    assert errors == []


def test_the_three_broker_override_validates_merged_with_the_base_file() -> None:
    base, override = load(COMPOSE), load(KAFKA3)
    assert set(override["services"]) - set(base["services"]) == {"kafka-2", "kafka-3"}
    voters = override["services"]["kafka"]["environment"]["KAFKA_CONTROLLER_QUORUM_VOTERS"]
    assert voters == "1@kafka:9093,2@kafka-2:9093,3@kafka-3:9093"
    for name in ("ingest", "classify", "alert", "topics"):
        env = environment(override["services"][name])
        assert env["NEWSMON_KAFKA_BOOTSTRAP"] == "kafka:9092,kafka-2:9092,kafka-3:9092"
        assert env["NEWSMON_KAFKA_REPLICATION_FACTOR"] == "3"
    assert set(override["volumes"]) == {"kafka-2-data", "kafka-3-data"}


def test_kafka_is_the_official_image_in_kraft_mode() -> None:
    kafka = load(COMPOSE)["services"]["kafka"]
    assert kafka["image"].startswith("apache/kafka:3.9.")
    assert kafka["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert "healthcheck" in kafka


@pytest.mark.parametrize("path", [COMPOSE, KAFKA3], ids=lambda p: p.name)
def test_every_file_compose_builds_or_mounts_exists(path: Path) -> None:
    for name, service in load(path)["services"].items():
        if "build" in service:
            context = REPO / service["build"]["context"]
            assert (context / service["build"].get("dockerfile", "Dockerfile")).is_file(), name
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("."):
                assert (REPO / source).exists(), f"{name}: {source}"


def test_the_services_receive_only_variables_newsmon_knows() -> None:
    known = known_settings()
    for name, service in newsmon_services(load(COMPOSE)).items():
        unknown = set(environment(service)) - known
        assert unknown == set(), f"{name} sets variables no settings class reads: {unknown}"
    for name, service in newsmon_services(load(COMPOSE) | load(KAFKA3)).items():
        assert set(environment(service)) <= known, name


def test_env_example_lists_every_setting_and_every_compose_variable() -> None:
    listed = set(ENV_LINE.findall((REPO / ".env.example").read_text("utf-8")))
    interpolated = set(INTERPOLATION.findall(COMPOSE.read_text("utf-8") + KAFKA3.read_text("utf-8")))
    known = known_settings()
    assert known - listed == set(), "settings missing from .env.example"
    assert interpolated - listed == set(), "compose variables missing from .env.example"
    receivers = named_receiver_variables()
    assert listed - known - interpolated - receivers == set(), ".env.example names variables nothing reads"


def named_receiver_variables() -> set[str]:
    """The variables the example receivers in config/newsmon.yaml name, and their NAME_FILE forms."""
    named = set(
        re.findall(r"_env:\s*([A-Z][A-Z0-9_]*)", (REPO / "config" / "newsmon.yaml").read_text("utf-8"))
    )
    return named | {f"{name}_FILE" for name in named}


def test_scaled_services_have_no_fixed_names_or_host_ports_and_check_healthz() -> None:
    services = load(COMPOSE)["services"]
    for name in ("ingest", "classify", "alert"):
        service = services[name]
        port = SERVICES[name].metrics_port
        assert "container_name" not in service, name
        assert "ports" not in service, name
        assert service["command"] == ["serve", name]
        assert environment(service)["NEWSMON_METRICS_PORT"] == str(port)
        assert f"http://127.0.0.1:{port}/healthz" in " ".join(service["healthcheck"]["test"])


def test_topics_are_set_up_once_before_the_services_start() -> None:
    services = load(COMPOSE)["services"]
    assert services["topics"]["command"] == ["topics", "ensure"]
    assert services["topics"]["restart"] == "no"
    assert services["topics"]["depends_on"]["kafka"]["condition"] == "service_healthy"
    for name in ("ingest", "classify", "alert"):
        assert services[name]["depends_on"]["topics"]["condition"] == "service_completed_successfully"


def test_compose_prometheus_discovers_every_replica_of_every_service() -> None:
    services = load(COMPOSE)["services"]
    prometheus = services["prometheus"]
    assert "./deploy/prometheus:/etc/prometheus:ro" in prometheus["volumes"]
    config_flag = next(arg for arg in prometheus["command"] if arg.startswith("--config.file="))
    config_path = PROMETHEUS_DIR / Path(config_flag.split("=", 1)[1]).relative_to("/etc/prometheus")
    config = load(config_path)
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    for name in ("ingest", "classify", "alert"):
        (discovery,) = jobs[f"newsmon-{name}"]["dns_sd_configs"]
        assert discovery["names"] == [name]
        assert discovery["type"] == "A"
        assert discovery["port"] == int(environment(services[name])["NEWSMON_METRICS_PORT"])
    for rule_file in config["rule_files"]:
        assert (config_path.parent / rule_file).is_file()


def test_grafana_is_provisioned_from_the_repository() -> None:
    grafana = load(COMPOSE)["services"]["grafana"]
    mounts = dict(v.rsplit(":", 1)[0].split(":", 1) for v in grafana["volumes"] if v.startswith("."))
    assert mounts["./deploy/grafana/provisioning"] == "/etc/grafana/provisioning"
    dashboards = mounts["./deploy/grafana/dashboards"]
    provider = load(GRAFANA_DIR / "provisioning" / "dashboards" / "newsmon.yml")
    assert provider["providers"][0]["options"]["path"] == dashboards
    home = grafana["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    assert (GRAFANA_DIR / "dashboards" / Path(home).relative_to(dashboards)).is_file()


def test_email_goes_to_the_mail_catcher_by_default() -> None:
    services = load(COMPOSE)["services"]
    assert "mailpit" in services
    assert environment(services["alert"])["NEWSMON_SMTP_HOST"] == "${NEWSMON_SMTP_HOST:-mailpit}"


def test_the_image_is_multi_stage_and_runs_as_an_unprivileged_user() -> None:
    stages = [command for command in dockerfile_instructions() if command.cmd == "FROM"]
    assert len(stages) >= 2
    final = final_stage()
    users = [command.value[0] for command in final if command.cmd == "USER"]
    assert users, "the runtime stage sets no USER, so it runs as root"
    user = users[-1].split(":", 1)[0]
    assert user not in {"root", "0"}
    created = " ".join(c.value[0] for c in final if c.cmd == "RUN" and "useradd" in c.value[0])
    assert f"--uid {user}" in created, "the USER is not the account the image creates"
    assert [c.value for c in final if c.cmd == "ENTRYPOINT"] == [("newsmon",)]
    assert any(c.cmd == "COPY" and "--from=build" in c.flags for c in final), (
        "runtime copies the build's venv"
    )


def test_the_image_sets_only_settings_newsmon_knows() -> None:
    env_names = {
        name
        for command in dockerfile_instructions()
        if command.cmd == "ENV"
        for name in command.value[::2]
        if name.startswith("NEWSMON_")
    }
    assert env_names
    assert env_names <= known_settings()


def test_everything_the_image_copies_exists_and_is_not_docker_ignored() -> None:
    ignored = {
        line.strip() for line in (REPO / ".dockerignore").read_text("utf-8").splitlines() if line.strip()
    }
    for command in dockerfile_instructions():
        if command.cmd == "COPY" and not any(flag.startswith("--from") for flag in command.flags):
            *sources, _target = command.value
            for source in sources:
                assert (REPO / source).exists(), source
                assert source not in ignored, f"{source} is copied but .dockerignore drops it"


def test_the_image_builds_the_rust_engine_in_its_build_stage_from_its_own_sources() -> None:
    final = final_stage()
    build = [c.value[0] for c in dockerfile_instructions() if c.cmd == "RUN" and c not in final]
    assert any("pip install --quiet ./services/classify/engine_rs" in run for run in build)
    ignored = (REPO / ".dockerignore").read_text("utf-8").splitlines()
    assert "services/classify/engine_rs/target" in ignored, "a build made on the host would be copied in"
