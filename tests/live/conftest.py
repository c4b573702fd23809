"""Fixtures of the live-update tests: the in-memory hub by default, a real Redis on demand."""

from __future__ import annotations

import os
from typing import Any

import pytest

TEST_REDIS_URL = os.environ.get("MUTUALPLAN_TEST_REDIS_URL", "redis://127.0.0.1:6379")


@pytest.fixture(autouse=True)
def _in_memory_hub(settings: Any) -> None:
    # Streams share one process here, whatever the developer's environment says.
    settings.REDIS_URL = ""


def redis_server_url() -> str:
    """The Redis server of the tests; fails under CI=true when it is unreachable, else skips."""
    try:
        import redis
    except ImportError:
        message = "the redis package is not installed"
    else:
        try:
            redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=1.0).ping()
            return TEST_REDIS_URL.rstrip("/")
        except (redis.RedisError, OSError) as exc:
            message = f"Redis is not reachable at {TEST_REDIS_URL} ({exc})"
    message += "; start it, or point MUTUALPLAN_TEST_REDIS_URL at one"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}. CI runs the cross-process live tests, so this fails.")
    pytest.skip(message)


@pytest.fixture
def redis_url() -> str:
    return redis_server_url()
