"""The container image and the compose file, checked statically (no container engine here):
the services and how they start, their health checks, no secret in any file, a non-root image
with a health check, and commands the ``greenreg`` CLI really has."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from greenreg.cli.common import app

ROOT = Path(__file__).parent.parent.parent
COMPOSE = ROOT / "deploy" / "compose.yaml"
DOCKERFILE = ROOT / "Dockerfile"
SECRET_NAMES = re.compile(r"PASSWORD|SECRET|TOKEN|(^|_)KEY$", re.IGNORECASE)
NOT_SECRETS = {"GREENREG_RATE_KEY"}  # a rate per API key, not a key
SECRET_VALUES = [
    re.compile(r"://[^/\s:@]+:[^/\s@]+@"),  # a password in a URL
    # password=value (not password=$(cat file) nor password="$variable")
    re.compile(r"password\s*=\s*[\"']?[^\s$\"']", re.IGNORECASE),
    re.compile(r"grk_[0-9a-f]{16}_"),  # an API key
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return loaded


def strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for key, value in node.items() for s in (*strings(key), *strings(value))]
    if isinstance(node, list):
        return [s for item in node for s in strings(item)]
    return []


def test_the_services_are_the_primary_a_standby_the_api_and_the_projector(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    assert set(services) == {"db-primary", "db-standby", "api", "projector"}
    for name, service in services.items():
        assert "healthcheck" in service, name
        assert service["healthcheck"].get("disable") is not True, name
        assert service["healthcheck"]["test"][0] in {"CMD", "CMD-SHELL"}, name
    assert "/healthz" in " ".join(services["api"]["healthcheck"]["test"])

    # Who waits for whom: the standby clones a healthy primary; the API needs the primary; the
    # projection worker starts once the API's first run has migrated the store.
    def waits_for(service: str) -> dict[str, str]:
        return {k: v["condition"] for k, v in services[service]["depends_on"].items()}

    assert waits_for("db-standby") == {"db-primary": "service_healthy"}
    assert waits_for("api") == {"db-primary": "service_healthy", "db-standby": "service_started"}
    api = services["api"]["command"]
    assert api[api.index("--read-database") + 1].startswith("postgresql://greenreg@db-standby:")
    assert waits_for("projector") == {
        "db-primary": "service_healthy",
        "api": "service_healthy",
    }

    # The primary archives its WAL and streams it; the standby is a hot standby cloned with
    # pg_basebackup.
    primary = " ".join(services["db-primary"]["command"])
    assert "wal_level=replica" in primary
    assert "archive_mode=on" in primary
    standby_script = (COMPOSE.parent / "postgres" / "standby-entrypoint.sh").read_text()
    assert "pg_basebackup" in standby_script
    assert "--write-recovery-conf" in standby_script
    assert "hot_standby=on" in standby_script

    # Both greenreg services use the one image built from the Dockerfile.
    for name in ("api", "projector"):
        assert services[name]["image"] == "greenreg:latest"
        assert services[name]["build"]["dockerfile"] == "Dockerfile"


def test_no_secret_is_written_in_the_files(compose: dict[str, Any]) -> None:
    texts = [
        *strings(compose),
        DOCKERFILE.read_text(),
        *(p.read_text() for p in (COMPOSE.parent / "postgres").glob("*.sh")),
    ]
    for text in texts:
        for pattern in SECRET_VALUES:
            assert not pattern.search(text), (pattern.pattern, text[:200])
    # Every setting named like a secret points to a mounted secret file, not a value.
    for name, service in compose["services"].items():
        environment = service.get("environment", {})
        for variable, value in environment.items():
            if variable in NOT_SECRETS:
                continue
            if SECRET_NAMES.search(variable.removesuffix("_FILE")) or variable == "PGPASSFILE":
                assert str(value).startswith("/run/secrets/"), (name, variable, value)
    # ... and every secret is a file, outside the repository's tracked files.
    for secret in compose["secrets"].values():
        assert secret["file"].startswith("./secrets/")
    assert "deploy/secrets/" in (ROOT / ".gitignore").read_text().splitlines()


def test_the_image_runs_as_a_non_root_user_with_a_health_check() -> None:
    lines = [line.strip() for line in DOCKERFILE.read_text().splitlines()]
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users, "the image names a user"
    assert users[-1] not in {"root", "0", "0:0"}
    assert any(line.startswith("HEALTHCHECK ") for line in lines)
    healthcheck = DOCKERFILE.read_text().split("HEALTHCHECK", 1)[1]
    assert "/healthz" in healthcheck.split("CMD [", 2)[1]
    # The package is installed (with its data), not mounted.
    assert any(line.startswith("RUN pip install /tmp/greenreg") for line in lines)


def commands(compose: dict[str, Any]) -> list[list[str]]:
    found = [compose["services"][name]["command"] for name in ("api", "projector")]
    found.append(shlex.split(DOCKERFILE.read_text().split("CMD [", 2)[2].split("]", 1)[0]))
    return [[part.strip('",') for part in command] for command in found]


def test_the_commands_are_ones_greenreg_has(compose: dict[str, Any]) -> None:
    """Each ``greenreg`` command line the files run names a command and options it has."""
    runner = CliRunner()
    for command in commands(compose):
        assert command[0] == "greenreg", command
        words = [w for w in command[1:] if not w.startswith("-")][:1]
        shown = runner.invoke(app, [*words, "--help"], terminal_width=200)
        assert shown.exit_code == 0, (command, shown.output)
        for option in (w for w in command if w.startswith("--")):
            assert option in shown.output, (command, option)
