"""The filter panel's counts when the server leaves some out (a national directory)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_map import open_map

pytestmark = pytest.mark.browser


def test_counts_the_server_did_not_make_show_no_number(page: Page, start_server, demo_url):
    # Five places is the limit here: a search for "schule" matches more, so the server answers
    # null counts; the panel must not claim "(0)" for them.
    server = start_server(demo_url, LERNORTE_FACET_MAX_PLACES="5")
    watch = open_map(page, server, "?q=schule&lang=de")
    page.locator("summary", has_text="Schule").first.click()
    expect(page.locator("label[for=filter-category-grundschule]")).to_be_visible()
    counts = page.locator("#filters .count").all_text_contents()
    assert counts and all(text == "" for text in counts)
    # Without a search the tree and the target groups are counted from the aggregates, whatever
    # the limit (87 places > 5).
    open_map(page, server, "?lang=de")
    expect(page.locator(".stage > summary .count").first).to_have_text(re.compile(r"^\(\d+\)$"))
    total = sum(int(c.strip("()")) for c in
                page.locator(".stage > summary .count").all_text_contents())
    assert total >= 87
    groups = page.locator("label[for^=filter-target_group] .count")
    assert groups.count() and all(re.fullmatch(r"\(\d+\)", text)
                                  for text in groups.all_text_contents())
    watch.check()
