"""Copy the browser runtime from ``node_modules`` into ``../static/vendor`` (run after ``npm ci``).

The web pages load htmx and the Vega runtime from the package itself, never
from a CDN.  To update them: edit the versions in ``package.json``, then

    cd src/baiqiang/web/assets && npm install --ignore-scripts && python vendor.py

and commit ``package-lock.json`` and ``static/vendor/``.  ``MANIFEST.json``
records each file's npm package, version and SHA-256; a test checks them.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET = HERE.parent / "static" / "vendor"
FILES = {  # npm package -> file inside it
    "htmx.org": "dist/htmx.min.js",
    "vega": "build/vega.min.js",
    "vega-lite": "build/vega-lite.min.js",
    "vega-embed": "build/vega-embed.min.js",
}


def main() -> None:
    TARGET.mkdir(parents=True, exist_ok=True)
    manifest = {}
    for package, rel in FILES.items():
        root = HERE / "node_modules" / package
        version = json.loads((root / "package.json").read_text(encoding="utf-8"))["version"]
        src = root / rel
        dest = TARGET / Path(rel).name
        # Source-map comments would make the browser ask for files we do not ship.
        text = src.read_text(encoding="utf-8")
        text = "\n".join(line for line in text.splitlines() if not line.startswith("//# sourceMappingURL="))
        dest.write_text(text + "\n", encoding="utf-8")
        licence = next((p for p in root.iterdir() if p.name.upper().startswith("LICENSE")), None)
        if licence:
            shutil.copyfile(licence, TARGET / f"{package}.LICENSE.txt")
        manifest[dest.name] = {"package": package, "version": version,
                               "sha256": hashlib.sha256(dest.read_bytes()).hexdigest()}
    (TARGET / "MANIFEST.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(manifest, indent=2))


if __name__ == "__main__":
    main()
