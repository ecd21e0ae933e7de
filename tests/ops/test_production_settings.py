"""Outside development the app refuses to start with a guessable secret or insecure cookies."""

import os
import subprocess
import sys

import pytest
from pydantic import ValidationError

from app.config import DEVELOPMENT_SECRET, PROJECT_ROOT, Settings

GOOD = {"secret_key": "k7Gq2v9Xw3Lm8Np4Rt6Yz1Bc5Df0Hj2Ks9Uv3Wx", "cookie_secure": True}


def test_development_starts_with_the_built_in_secret():
    assert Settings(environment="development").secret_key == DEVELOPMENT_SECRET


@pytest.mark.parametrize("overrides, complaint", [
    ({"secret_key": DEVELOPMENT_SECRET}, "LERNORTE_SECRET_KEY"),
    ({"secret_key": "changethis"}, "LERNORTE_SECRET_KEY"),
    ({"secret_key": ""}, "LERNORTE_SECRET_KEY"),
    ({"secret_key": "short-but-not-default"}, "at least 32"),
    ({"cookie_secure": False}, "LERNORTE_COOKIE_SECURE"),
    ({"cookie_samesite": "none"}, "LERNORTE_COOKIE_SAMESITE"),
])
def test_production_refuses_insecure_settings(overrides, complaint):
    with pytest.raises(ValidationError, match=complaint):
        Settings(environment="production", **{**GOOD, **overrides})
    assert Settings(environment="production", **GOOD).environment == "production"


def test_the_server_process_exits_with_the_reason_instead_of_serving(demo_url):
    env = {**os.environ, "DATABASE_URL": demo_url, "LERNORTE_ENVIRONMENT": "production"}
    env.pop("LERNORTE_SECRET_KEY", None)
    result = subprocess.run([sys.executable, "-m", "app.cli", "serve", "--port", "1", "--no-demo"],
                            env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "LERNORTE_SECRET_KEY" in result.stderr
    assert "serving on" not in result.stderr and "Traceback" not in result.stderr
