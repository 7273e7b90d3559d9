"""Shared settings for the method-kernel tests."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

# Modest example counts keep tests/methods under ~20 s on a shared 2-core box.
settings.register_profile(
    "methods", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("methods")
