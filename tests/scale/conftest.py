"""A fresh demo database with a few thousand synthetic places spread over Germany."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench.generate import generate

SYNTHETIC = 3000


@pytest.fixture
def scale_url(fresh_url: str) -> str:
    # A thread of its own: the browser tests' event loop may be running in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, generate(fresh_url, SYNTHETIC, seed=7, chunk=1000,
                                          quiet=True)).result()
    return fresh_url
