"""Shared helpers for browser tests: a page that fails loudly and talks only to the app.

Usage::

    from tests.browser.helpers import guard, assert_accessible

    def test_something(page, live_server):
        watch = guard(page, live_server.url)
        page.goto(live_server.url + "/")
        ...
        watch.check()               # no page errors, no request to another host
        assert_accessible(page)     # axe-core: no WCAG 2 A/AA violations
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from playwright.sync_api import ConsoleMessage, Page, Request, Route
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from app.config import PROJECT_ROOT

AXE_JS = PROJECT_ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@dataclass
class Guard:
    """What a page did that a test must not let pass silently."""

    origin: str
    page_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def check(self) -> None:
        problems = []
        if self.page_errors:
            problems.append(f"page errors: {self.page_errors}")
        if self.console_errors:
            problems.append(f"console errors: {self.console_errors}")
        if self.foreign_requests:
            problems.append(f"requests to other hosts: {self.foreign_requests}")
        if self.dialogs:
            problems.append(f"dialogs opened (script ran?): {self.dialogs}")
        assert not problems, "; ".join(problems)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


LOCAL_TEST_SERVER = "http://127.0.0.1:"
FAVICON = "/static/icons/favicon.svg"


def guard(page: Page, base_url: str, *, allow_console_errors: bool = False) -> Guard:
    """Record page errors and dialogs; block and record every request not to the app.

    ``allow_console_errors`` is for tests that provoke an expected failed request (a 404 or 422
    logs a console error in Chromium); page errors and foreign requests are always failures.
    """
    watch = Guard(origin=_origin(base_url))

    def on_route(route: Route) -> None:
        url = route.request.url
        if url.startswith(("data:", "blob:")) or _origin(url) == watch.origin:
            route.continue_()
        elif url.startswith(LOCAL_TEST_SERVER) and url.endswith(FAVICON):
            # Chromium fetches a page's icon late, when a test may have gone on to its next
            # server; the earlier one still runs.
            route.continue_()
        else:
            watch.foreign_requests.append(url)
            route.abort()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and not allow_console_errors:
            watch.console_errors.append(message.text)

    def on_dialog(dialog) -> None:
        watch.dialogs.append(dialog.message)
        dialog.dismiss()

    page.route("**/*", on_route)
    page.on("pageerror", lambda error: watch.page_errors.append(str(error)))
    page.on("console", on_console)
    page.on("dialog", on_dialog)
    return watch


def axe_violations(page: Page, tags: list[str] | None = None, exclude: list[str] | None = None
                   ) -> list[dict]:
    """Run axe-core (served from node_modules into the page) and return its violations."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # evaluate() runs outside the page's CSP, unlike an injected <script> tag.
        page.evaluate(AXE_JS.read_text())
    options = {"runOnly": {"type": "tag", "values": tags or WCAG_AA_TAGS}}
    context = {"exclude": [[sel] for sel in exclude]} if exclude else None
    return page.evaluate(
        "([context, options]) => axe.run(context || document, options).then(r => r.violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)})))",
        [context, options],
    )


def wait_for_animations(page: Page, timeout_ms: int = 5000) -> None:
    """Let CSS transitions finish (markercluster fades clusters in): mid-fade text has a
    contrast it never has once settled, and axe would measure that."""
    try:
        page.wait_for_function(
            "() => document.getAnimations().every(a => a.playState !== 'running')",
            timeout=timeout_ms)
    except PlaywrightTimeout:
        pass  # an endless animation (a spinner) must not block the check itself


def assert_accessible(page: Page, tags: list[str] | None = None,
                      exclude: list[str] | None = None) -> None:
    wait_for_animations(page)
    violations = axe_violations(page, tags, exclude)
    assert not violations, "axe-core violations:\n" + "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} at {v['nodes']}" for v in violations)


def requests_log(page: Page) -> list[Request]:
    """Every request the page makes from now on (for asserting what was loaded)."""
    seen: list[Request] = []
    page.on("request", seen.append)
    return seen
