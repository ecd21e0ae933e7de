"""schemathesis drives the OGC API from its own OpenAPI 3.0 document: no 5xx, and status codes
and content types as declared there."""

from tests.ops.test_fuzz_api import generated, schemathesis

CHECKS = "no_server_error,status_code_conformance,content_type_conformance"


def test_the_ogc_api_keeps_its_own_openapi_document(live_server, tmp_path):
    result = schemathesis(f"{live_server.url}/ogc/api", "--checks", CHECKS,
                          "--max-examples", "25", "--seed", "20261123", "--workers", "2",
                          cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-8000:]
    assert generated(output) >= 100, output[-3000:]
