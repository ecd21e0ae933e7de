"""A fresh demo database with a few thousand synthetic places spread over Germany."""

import asyncio

import pytest

from bench.generate import generate

SYNTHETIC = 3000


@pytest.fixture
def scale_url(fresh_url: str) -> str:
    asyncio.run(generate(fresh_url, SYNTHETIC, seed=7, chunk=1000, quiet=True))
    return fresh_url
