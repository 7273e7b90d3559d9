"""Draw Vega-Lite specs as SVG in a process of its own: ``python -m baiqiang.report.vl_png`` (driven by :class:`baiqiang.report.render.VlWorker`).

vl-convert holds the GIL and starts a V8 runtime on its first conversion (about 0.6 s),
so the report starts this child first (:func:`baiqiang.report.render.start_workers`): it imports
vl-convert, registers the fonts and warms V8 at once, then converts every spec it is
sent, in order, while the parent goes on.

Protocol: one JSON object per line on stdin, ``{"spec": SPEC_JSON_FILE, "out": FILE}``; one reply per job on stdout, ``{"ok": true}`` or ``{"ok":
false, "error": TRACEBACK}``, in the order the jobs came.  The drawing goes to ``out``
(the parent moves it into place); the child exits at the end of its input.
"""

from __future__ import annotations

import json
from pathlib import Path

from baiqiang.report.jobs import serve

#: Debian's Noto folders (fonts-noto-cjk): the charts' Chinese font.
FONT_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/noto")

#: A one-mark spec converted before the first job: it starts V8 while the parent still works.
_WARM_UP = {"$schema": "https://vega.github.io/schema/vega-lite/v5.json", "data": {"values": [{"a": 1}]},
            "mark": "point", "encoding": {"x": {"field": "a", "type": "quantitative"}}}


def register_fonts() -> None:
    """Make the installed Noto fonts known to vl-convert (missing folders are skipped)."""
    import vl_convert as vlc

    for folder in FONT_DIRS:
        if Path(folder).is_dir():
            vlc.register_font_directory(folder)


def convert(spec: str) -> bytes:
    """One Vega-Lite spec (JSON text) as SVG, UTF-8 bytes."""
    import vl_convert as vlc

    return vlc.vegalite_to_svg(spec).encode("utf-8")


def main() -> None:
    register_fonts()
    convert(json.dumps(_WARM_UP))
    serve(lambda job: Path(job["out"]).write_bytes(convert(Path(job["spec"]).read_text(encoding="utf-8"))))


if __name__ == "__main__":
    main()
