"""Web server latency under load, on loopback, with the national census store.

Starts ``baiqiang serve`` as its own process on a copy of the store (the
demo's ``census.duckdb``; made with ``baiqiang demo`` when not given), warms
each ranking once, then sends a bounded mix of list, profile and map requests
(profiles over 200 different units, so many are first views that miss the response cache; the
named list top100 as a page) at a
fixed concurrency while one signed-in import runs, and prints p50/p95/p99 per
kind and requests per second.

    nice -n 10 python benchmarks/bench_web.py --store baiqiang-demo/census.duckdb -n 2000 -c 50

The default client is httpx + asyncio (the same as the bounded load test in the suite); it costs
more CPU per request than the server on a 2-core machine, so its latencies include its own
queueing. ``--client wrk`` drives the same paths with Debian's ``wrk`` (``apt-get install wrk``;
one thread, a Lua script round-robins the paths), about 0.05 ms of CPU per request, for
``--seconds`` per kind and for the mix, and reports wrk's own latency percentiles.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

import httpx

from baiqiang.web.loadtest import run_load

PASSWORD = "bench-password-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def national_store(given: Path | None, work: Path) -> Path:
    target = work / "census.duckdb"
    if given is not None:
        shutil.copyfile(given, target)
        return target
    from baiqiang.report.demo import run_demo

    run_demo(target)
    return target


def start_server(store: Path, port: int) -> subprocess.Popen:
    exe = Path(sys.executable).with_name("baiqiang")
    subprocess.run([str(exe), "users", "add", "bench", "--db", str(store), "--role", "editor", "--password-stdin"],
                   input=PASSWORD + "\n", text=True, check=True, capture_output=True)
    proc = subprocess.Popen([str(exe), "serve", "--db", str(store), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ})
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/session", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("server did not start")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc): robust to a shared machine's waiting."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def yearbook(path: Path) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["地区", "15-64岁人口比重（%）"])
    for name, value in (("永康市", 75.5), ("义乌市", 77.1), ("东阳市", 73.2)):
        ws.append([name, value])
    wb.save(path)
    return path


def import_meanwhile(url: str, path: Path, outcome: dict) -> None:
    t0 = time.perf_counter()
    with httpx.Client(base_url=url, timeout=120) as c:
        csrf = c.get("/api/v1/session").json()["data"]["csrf_token"]
        c.post("/login", data={"username": "bench", "password": PASSWORD, "csrf_token": csrf})
        csrf = c.get("/api/v1/session").json()["data"]["csrf_token"]
        with open(path, "rb") as f:
            r = c.post("/api/v1/imports", files={"file": (path.name, f)}, data={"year": "2020"},
                       headers={"X-CSRF-Token": csrf})
        token = r.json()["data"]["token"]
        job = c.post(f"/api/v1/imports/{token}/confirm", headers={"X-CSRF-Token": csrf}).json()["data"]
        while job["status"] == "running":
            time.sleep(0.1)
            job = c.get(f"/api/v1/jobs/{job['id']}").json()["data"]
    outcome.update(status=job["status"], seconds=time.perf_counter() - t0,
                   n_changed=(job.get("result") or {}).get("n_changed"))


WRK_SCRIPT = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format("WRK %%d %%d %%d %%d %%d %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write, summary.errors.timeout))
end
"""


def run_wrk(url: str, paths: list[str], concurrency: int, seconds: int, work: Path) -> dict:
    """One ``wrk`` run over ``paths`` (round-robin): requests/s, latency percentiles (ms), errors."""
    script = work / "paths.lua"
    # Percent-encoded (a request line is ASCII; Lua strings know no \\u escapes).
    script.write_text(WRK_SCRIPT % ", ".join(json.dumps(quote(p, safe="/?=&")) for p in paths), encoding="utf-8")
    out = subprocess.run(["wrk", "-t1", f"-c{concurrency}", f"-d{seconds}s", "--timeout", "30s", "-s", str(script), url],
                         capture_output=True, text=True)
    if out.returncode != 0 or "WRK " not in out.stdout:
        raise RuntimeError(f"wrk failed ({out.returncode}): {out.stderr.strip() or out.stdout.strip()}")
    out = out.stdout
    n, duration_us, p50, p95, p99, worst, status, socket_errors, timeouts = map(int, out.split("WRK ")[1].split())
    return {"requests": n, "requests_per_second": round(n / (duration_us / 1e6), 1),
            "p50": p50 / 1000, "p95": p95 / 1000, "p99": p99 / 1000, "max": worst / 1000,
            "non_2xx": status, "socket_errors": socket_errors, "timeouts": timeouts}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, help="census.duckdb from baiqiang demo (default: build one)")
    ap.add_argument("-n", type=int, default=None, help="requests (default 2000; 400 with --quick)")
    ap.add_argument("--quick", action="store_true", help="a short run (400 requests) to check the set-up")
    ap.add_argument("-c", type=int, default=50, help="concurrency (default 50)")
    ap.add_argument("--max-seconds", type=float, default=300)
    ap.add_argument("--no-import", action="store_true", help="reads only (no import meanwhile): the steady-state cost")
    ap.add_argument("--client", choices=("httpx", "wrk"), default="httpx", help="load generator (see the module docstring)")
    ap.add_argument("--seconds", type=int, default=10, help="with --client wrk: seconds per kind and for the mix")
    ap.add_argument("--warm", action="store_true", help="with --client wrk: a short unmeasured run of each kind first "
                    "(steady state: every page of the kind already built once)")
    args = ap.parse_args()
    args.n = args.n or (400 if args.quick else 2000)
    work = Path(tempfile.mkdtemp(prefix="bench-web-"))
    store = national_store(args.store, work)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = start_server(store, port)
    try:
        codes = [r["code"] for r in httpx.get(f"{url}/api/v1/rankings/county?page_size=500", timeout=120)
                 .json()["data"]]
        for year in httpx.get(f"{url}/api/v1/rankings", timeout=120).json()["data"]["years"]:
            for ranking in ("county", "district"):
                httpx.get(f"{url}/api/v1/rankings/{ranking}?year={year}", timeout=120)
        rng = random.Random(0)
        provinces = sorted({r["province"] for r in httpx.get(f"{url}/api/v1/rankings/county?page_size=500").json()["data"]})
        paths = []
        for k in range(200):
            paths += [("list", f"/api/v1/rankings/county?page={k % 30 + 1}"),
                      ("list_page", f"/rankings?province={rng.choice(provinces)}&page=1"),
                      ("profile", f"/api/v1/units/{rng.choice(codes)}"),
                      ("profile_page", f"/units/{rng.choice(codes)}"),
                      ("map", "/api/v1/map/county"),
                      ("top100_page", f"/rankings?list=top100&page={k % 2 + 1}")]
        outcome: dict = {}
        importer = threading.Thread(target=import_meanwhile, args=(url, yearbook(work / "年鉴.xlsx"), outcome))
        load0 = os.getloadavg()
        client0 = time.process_time()
        cpu0 = cpu_seconds(proc.pid)
        if not args.no_import:
            importer.start()
        if args.client == "wrk":
            kinds: dict[str, list[str]] = {}
            for kind, path in paths:
                kinds.setdefault(kind, []).append(path)
            runs = {}
            for kind, ps in {**kinds, "mix": [p for _, p in paths]}.items():
                if args.warm:  # every path once (first views build and cache the page), not measured
                    runs[f"{kind} (warm-up)"] = run_wrk(url, ps, args.c, max(2, len(ps) // 100), work)
                runs[kind] = run_wrk(url, ps, args.c, args.seconds, work)
        else:
            result = asyncio.run(run_load(url, paths, total=args.n, concurrency=args.c, max_seconds=args.max_seconds))
        if not args.no_import:
            importer.join(timeout=120)
        server_cpu = cpu_seconds(proc.pid) - cpu0
        client_cpu = time.process_time() - client0  # this load generator's own CPU: it shares the 2 cores
        load1 = os.getloadavg()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    if args.client == "wrk":
        total = sum(r["requests"] for r in runs.values())
        print(json.dumps({"client": "wrk", "concurrency": args.c, "seconds_per_run": args.seconds, "import": outcome,
                          "load_average_1min": {"before": round(load0[0], 2), "after": round(load1[0], 2)},
                          "server_cpu_ms_per_request": round(1000 * server_cpu / max(1, total), 2), "runs": runs},
                         ensure_ascii=False, indent=2))
        return
    summary = result.summary()
    print(json.dumps({"requests": result.sent, "errors": len(result.errors), "seconds": round(result.seconds, 2),
                      "requests_per_second": round(result.requests_per_second, 1), "import": outcome,
                      "server_cpu_seconds": round(server_cpu, 2),
                      "load_average_1min": {"before": round(load0[0], 2), "after": round(load1[0], 2)},
                      "concurrency": args.c,
                      "server_cpu_ms_per_request": round(1000 * server_cpu / max(1, result.sent), 1),
                      "client_cpu_ms_per_request": round(1000 * client_cpu / max(1, result.sent), 1),
                      "latency_ms": {k: {m: round(v, 1) for m, v in d.items()} for k, d in summary.items()}},
                     ensure_ascii=False, indent=2))
    if result.errors:
        print("first errors:", result.errors[:5], file=sys.stderr)


if __name__ == "__main__":
    main()
