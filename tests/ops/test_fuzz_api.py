"""schemathesis drives the running app from its own OpenAPI schema: no 5xx, no answer that breaks
the declared schema (status codes, content types, headers, bodies), at least 1,000 requests."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from app.config import PROJECT_ROOT

CHECKS = ("no_server_error,status_code_conformance,content_type_conformance,"
          "response_headers_conformance,response_schema_conformance")


def schemathesis(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    exe = shutil.which("schemathesis") or str(Path(sys.executable).with_name("schemathesis"))
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT),
           "SCHEMATHESIS_HOOKS": "tests.ops.schemathesis_hooks"}
    return subprocess.run([exe, "run", *args], capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=900)


def generated(output: str) -> int:
    found = re.search(r"(\d+) generated", output)
    assert found, output[-3000:]
    return int(found.group(1))


def test_public_api_survives_generated_requests(start_server, fresh_url, tmp_path):
    server = start_server(fresh_url, LERNORTE_LOG_LEVEL="WARNING")
    result = schemathesis(f"{server.url}/openapi.json", "--checks", CHECKS,
                          "--max-examples", "60", "--seed", "20261123", "--workers", "2",
                          "--exclude-path-regex", "^/api/admin", cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-8000:]
    assert generated(output) >= 1000, output[-3000:]


def test_admin_api_with_a_logged_in_session_survives_generated_requests(start_server, fresh_url,
                                                                        tmp_path):
    import httpx

    from tests.conftest import lernorte

    made = lernorte(fresh_url, "create-user", "fuzz@example.org", "--role", "admin",
                    "--password-stdin", input="a long fuzzing password 2026\n")
    assert made.returncode == 0, made.stderr
    server = start_server(fresh_url, LERNORTE_LOG_LEVEL="WARNING")
    login = httpx.post(f"{server.url}/api/admin/session",
                       json={"email": "fuzz@example.org", "password": "a long fuzzing password 2026"})
    assert login.status_code == 200, login.text
    cookie = "; ".join(f"{k}={v}" for k, v in login.cookies.items())
    # Logging out, changing the password or deactivating/demoting the own account (PATCH users)
    # would end the session for the rest of the run.
    result = schemathesis(f"{server.url}/openapi.json", "--checks", CHECKS,
                          "--max-examples", "25", "--seed", "20261124", "--workers", "1",
                          "--include-path-regex", "^/api/admin",
                          "--exclude-path-regex", "^/api/admin/(session|password|users/.*)$",
                          "-H", f"Cookie: {cookie}",
                          "-H", f"X-CSRF-Token: {login.json()['csrf_token']}", cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-8000:]
    assert generated(output) >= 200, output[-3000:]
    # The session survived the run: every request above was made as the logged-in admin.
    me = httpx.get(f"{server.url}/api/admin/me", headers={"Cookie": cookie})
    assert me.status_code == 200 and me.json()["user"]["email"] == "fuzz@example.org"
