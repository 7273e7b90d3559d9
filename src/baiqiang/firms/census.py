"""Census 2020 county indicators for firm recipes (per-capita denominators) and the generator (placement weights)."""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from baiqiang.data.store import Store

CENSUS_YEAR = 2020


@lru_cache(maxsize=1)
def census_panel() -> pd.DataFrame:
    """All census 2020 indicators per unit (index: code); read once per process (the import takes seconds)."""
    from baiqiang.data.census import import_census

    with Store(":memory:") as store:
        import_census(store, CENSUS_YEAR)
        return store.panel(CENSUS_YEAR).set_index("code")
