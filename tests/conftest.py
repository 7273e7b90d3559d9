"""Test-suite settings shared by every package's tests."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# Property tests: modest example counts keep the suite fast on a 2-core machine.
# On CI (CI=true) the examples are derandomised, so a run is reproducible and a
# failure there is a failure of the code, not of the draw; locally they vary,
# which keeps exploring new inputs.
settings.register_profile(
    "baiqiang",
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=os.environ.get("CI", "").lower() in ("1", "true", "yes"),
)
settings.load_profile("baiqiang")
