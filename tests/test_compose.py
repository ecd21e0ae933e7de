"""docker-compose.yml cannot be started here (no Docker engine), but it must be valid."""

import os
import shutil
import subprocess

import pytest

from app.config import PROJECT_ROOT


def test_compose_file_is_valid():
    if shutil.which("docker-compose") is None:
        pytest.fail("docker-compose is missing: `make test` installs it (Debian package)")
    env = {**os.environ, "LERNORTE_DB_PASSWORD": "only-for-the-test",
           "LERNORTE_SECRET_KEY": "only-for-the-test-0123456789abcdefghij"}
    result = subprocess.run(["docker-compose", "-f", "docker-compose.yml", "config"],
                            cwd=PROJECT_ROOT, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert "postgis/postgis" in result.stdout
    assert "migrate" in result.stdout
    assert "LERNORTE_ENVIRONMENT: production" in result.stdout
    assert 'LERNORTE_COOKIE_SECURE: "true"' in result.stdout


@pytest.mark.parametrize("missing", ["LERNORTE_DB_PASSWORD", "LERNORTE_SECRET_KEY"])
def test_compose_refuses_to_start_without_a_password_or_secret(missing):
    env = {**os.environ, "LERNORTE_DB_PASSWORD": "pw", "LERNORTE_SECRET_KEY": "k" * 40}
    del env[missing]
    result = subprocess.run(["docker-compose", "-f", "docker-compose.yml", "config"],
                            cwd=PROJECT_ROOT, capture_output=True, text=True, env=env)
    assert result.returncode != 0
    assert missing in result.stderr
