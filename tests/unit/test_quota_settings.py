"""Quota settings from the environment, and the headers a caller's usage gives."""

from __future__ import annotations

import pytest

from greenreg.api.quotas import QuotaSettings, Usage


def test_settings_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("QUOTAS", "RATE_ANONYMOUS", "RATE_KEY", "RATE_STORAGE"):
        monkeypatch.delenv(f"GREENREG_{variable}", raising=False)
    assert QuotaSettings.from_env() == QuotaSettings("600/minute", "6000/minute", "memory://")
    monkeypatch.setenv("GREENREG_RATE_ANONYMOUS", "10/second")
    monkeypatch.setenv("GREENREG_RATE_KEY", "100/hour")
    monkeypatch.setenv("GREENREG_RATE_STORAGE", "memory://?shared")
    assert QuotaSettings.from_env() == QuotaSettings("10/second", "100/hour", "memory://?shared")
    monkeypatch.setenv("GREENREG_QUOTAS", "off")
    assert QuotaSettings.from_env() is None


def test_usage_gives_githubs_headers() -> None:
    usage = Usage(limit=60, remaining=0, reset=1767225600.2, resource="core", exceeded=True)
    assert usage.headers() == {
        "x-ratelimit-limit": "60",
        "x-ratelimit-remaining": "0",
        "x-ratelimit-used": "60",
        "x-ratelimit-reset": "1767225601",
        "x-ratelimit-resource": "core",
    }
    assert usage.retry_after() >= 1
