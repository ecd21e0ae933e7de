"""What an operator relies on: request ids, JSON logs, Prometheus metrics."""

import re
import time
from pathlib import Path

import httpx
import orjson


def _sample(metrics_text: str, name: str, **labels: str) -> float:
    """The value of one series in Prometheus text format (0 when it does not exist yet)."""
    for line in metrics_text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.split(" ")[0]))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_count_requests_by_route_template_and_status(client):
    before = client.get("/metrics").text
    for place_id in (1, 2, 3):
        client.get(f"/api/places/{place_id}")
    client.get("/api/places", params={"bbox": "1,2,3"})
    client.get("/no/such/page/at/all")
    after = client.get("/metrics")

    assert after.status_code == 200
    assert after.headers["content-type"].startswith("text/plain")
    text = after.text

    def moved(name: str, **labels: str) -> float:
        return _sample(text, name, **labels) - _sample(before, name, **labels)

    # Three ids are one series: the route template, not the raw path.
    ok = sum(moved("lernorte_http_requests_total", route="/api/places/{place_id}", status=s)
             for s in ("200", "404"))
    assert ok == 3
    assert moved("lernorte_http_requests_total", route="/api/places", status="422") == 1
    assert moved("lernorte_http_requests_total", route="<unmatched>", status="404") == 1
    assert "/no/such/page" not in text
    assert moved("lernorte_http_request_duration_seconds_count", route="/api/places/{place_id}") == 3
    assert _sample(text, "lernorte_db_pool_size") >= 1


def test_request_id_is_taken_from_the_caller_or_made_up(client):
    given = client.get("/healthz", headers={"X-Request-ID": "trace-42.a_b"})
    assert given.headers["x-request-id"] == "trace-42.a_b"

    made = [client.get("/healthz").headers["x-request-id"] for _ in range(2)]
    assert made[0] != made[1] and len(made[0]) >= 16

    # An id that could forge log lines or headers is replaced, not echoed.
    hostile = client.get("/healthz", headers={"X-Request-ID": 'x" injected\tvalue'})
    assert hostile.headers["x-request-id"] != 'x" injected\tvalue'
    assert re.fullmatch(r"[0-9a-f]{32}", hostile.headers["x-request-id"])


def test_answers_say_how_long_the_server_took(client):
    timing = client.get("/api/places", params={"limit": 5}).headers["server-timing"]
    match = re.fullmatch(r"app;dur=(\d+\.\d)", timing)
    assert match and float(match.group(1)) > 0


def test_server_writes_one_json_log_line_per_request_with_its_id(start_server, demo_url):
    server = start_server(demo_url)
    response = httpx.get(f"{server.url}/api/places", params={"category": "grundschule"},
                         headers={"X-Request-ID": "log-test-7"})
    assert response.status_code == 200
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        lines = Path(server.log.name).read_text().splitlines()
        entries = [orjson.loads(line) for line in lines if line.startswith("{")]
        mine = [e for e in entries if e.get("request_id") == "log-test-7"]
        if mine:
            break
        time.sleep(0.1)
    assert mine, lines
    assert mine[0]["route"] == "/api/places" and mine[0]["status"] == 200
    assert mine[0]["duration_ms"] >= 0 and mine[0]["level"] == "info"
    # Everything the server logs is JSON, uvicorn's start-up messages included.
    assert all(line.startswith("{") for line in lines if line.strip()), lines


def test_metrics_are_not_for_the_internet(start_server, demo_url):
    server = start_server(demo_url)
    assert httpx.get(f"{server.url}/metrics").status_code == 200  # from this host
    # Through a proxy on this host (uvicorn trusts X-Forwarded-For from 127.0.0.1), a reader
    # from a public address is refused, one from the private network is let in.
    outside = httpx.get(f"{server.url}/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert outside.status_code == 403 and "lernorte_" not in outside.text
    inside = httpx.get(f"{server.url}/metrics", headers={"X-Forwarded-For": "10.1.2.3"})
    assert inside.status_code == 200 and "lernorte_http_requests_total" in inside.text
