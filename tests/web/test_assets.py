"""The browser runtime is vendored (checksums recorded) and no page refers to another origin."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import baiqiang.web

WEB = Path(baiqiang.web.__file__).resolve().parent
VENDOR = WEB / "static" / "vendor"


def test_vendored_files_match_their_manifest():
    manifest = json.loads((VENDOR / "MANIFEST.json").read_text(encoding="utf-8"))
    assert set(manifest) == {"htmx.min.js", "vega.min.js", "vega-lite.min.js", "vega-embed.min.js"}
    for name, entry in manifest.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == entry["sha256"], name
        assert (VENDOR / f"{entry['package']}.LICENSE.txt").is_file()
    lock = json.loads((WEB / "assets" / "package-lock.json").read_text(encoding="utf-8"))
    for entry in manifest.values():
        assert lock["packages"][f"node_modules/{entry['package']}"]["version"] == entry["version"]


def test_templates_load_nothing_from_other_origins():
    for template in (WEB / "templates").glob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"""(src|href)=["'](https?:)?//""", text), template.name
        assert "<script>" not in text and " on" + "click=" not in text, template.name  # CSP: no inline code


def test_pages_are_served_with_the_vendored_runtime(client):
    page = client.get("/rankings").text
    for name in ("htmx.min.js", "vega.min.js", "vega-lite.min.js", "vega-embed.min.js"):
        assert f'src="/static/vendor/{name}"' in page
        r = client.get(f"/static/vendor/{name}")
        assert r.status_code == 200 and len(r.content) > 10_000
