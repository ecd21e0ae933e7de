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
