"""docker-compose.yml cannot be started here (no Docker engine), but it must be valid."""

import os
import shutil
import subprocess

import pytest

from app.config import PROJECT_ROOT


def test_compose_file_is_valid():
    if shutil.which("docker-compose") is None:
        pytest.fail("docker-compose is missing: `make test` installs it (Debian package)")
    env = {**os.environ, "LERNORTE_DB_PASSWORD": "only-for-the-test"}
    result = subprocess.run(["docker-compose", "-f", "docker-compose.yml", "config"],
                            cwd=PROJECT_ROOT, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert "postgis/postgis" in result.stdout
    assert "migrate" in result.stdout


def test_compose_refuses_to_start_without_a_database_password():
    env = {k: v for k, v in os.environ.items() if k != "LERNORTE_DB_PASSWORD"}
    result = subprocess.run(["docker-compose", "-f", "docker-compose.yml", "config"],
                            cwd=PROJECT_ROOT, capture_output=True, text=True, env=env)
    assert result.returncode != 0
    assert "LERNORTE_DB_PASSWORD" in result.stderr
