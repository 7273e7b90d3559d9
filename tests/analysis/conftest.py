"""Shared fixtures: a tiny three-indicator framework with hand-computable results."""

from __future__ import annotations

import pytest

from baiqiang.framework.spec import Framework
from baiqiang.framework.structure import Hierarchy


def tiny_framework(**extra) -> Framework:
    return Framework.model_validate({
        "id": "tiny", "name": "小例",
        "indicators": [
            {"code": "a", "name": "甲", "parent": "P1"},
            {"code": "b", "name": "乙", "parent": "P1"},
            {"code": "c", "name": "丙", "parent": "P2"},
        ],
        "aggregates": [
            {"code": "P1", "name": "一", "parent": "Idx", "weight": 1},
            {"code": "P2", "name": "二", "parent": "Idx", "weight": 3},
            {"code": "Idx", "name": "总"},
        ],
        **extra,
    })


@pytest.fixture
def tiny_hierarchy() -> Hierarchy:
    return Hierarchy(tiny_framework())
