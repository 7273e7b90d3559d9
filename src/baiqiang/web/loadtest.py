"""A bounded load generator for the server, loopback only (used by tests/web and benchmarks/bench_web.py).

Sends at most ``total`` requests with ``concurrency`` in flight and stops at
``max_seconds`` whatever is left; it refuses any host outside 127.0.0.0/8 and
::1, so it can never be pointed at another machine.
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
from dataclasses import dataclass, field
from typing import Sequence
from urllib.parse import urlsplit

import numpy as np


@dataclass
class LoadResult:
    """Latencies (seconds) per request kind, errors and the wall time of the run."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    sent: int = 0

    def summary(self) -> dict[str, dict[str, float]]:
        """p50/p95/p99 in milliseconds and the count, per kind and for all requests."""
        out = {}
        groups = {**self.latencies, "all": [x for v in self.latencies.values() for x in v]}
        for kind, values in groups.items():
            if values:
                a = np.asarray(values) * 1000
                out[kind] = {"n": len(a), "p50": float(np.percentile(a, 50)), "p95": float(np.percentile(a, 95)),
                             "p99": float(np.percentile(a, 99))}
        return out

    @property
    def requests_per_second(self) -> float:
        return self.sent / self.seconds if self.seconds else 0.0


def check_loopback(base_url: str) -> None:
    host = urlsplit(base_url).hostname or ""
    if host == "localhost":
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise ValueError(f"load tests only target loopback addresses, not {host!r}")


async def run_load(base_url: str, paths: Sequence[tuple[str, str]], *, total: int, concurrency: int,
                   max_seconds: float) -> LoadResult:
    """GET ``paths`` (kind, path) round-robin, ``total`` times at most, ``concurrency`` at once."""
    import httpx

    check_loopback(base_url)
    result = LoadResult(latencies={kind: [] for kind, _ in paths})
    counter = iter(range(total))
    deadline = time.monotonic() + max_seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def worker(client: httpx.AsyncClient) -> None:
        for i in counter:
            if time.monotonic() > deadline:
                return
            kind, path = paths[i % len(paths)]
            t0 = time.perf_counter()
            try:
                r = await client.get(path)
                ok = r.status_code == 200
            except httpx.HTTPError as exc:
                ok, r = False, exc
            result.sent += 1
            if ok:
                result.latencies[kind].append(time.perf_counter() - t0)
            else:
                result.errors.append(f"{path}: {getattr(r, 'status_code', r)}")

    t0 = time.perf_counter()
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30.0) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    result.seconds = time.perf_counter() - t0
    return result
