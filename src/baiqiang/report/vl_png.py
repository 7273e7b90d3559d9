"""Draw one Vega-Lite spec as PNG in a process of its own: ``python -m baiqiang.report.vl_png SPEC.json OUT.png``.

vl-convert holds the GIL, so the report draws its maps (its slowest conversions, about 1.5 s)
in child processes while it writes everything else (:func:`baiqiang.report.render.start_maps`).
This module imports only vl-convert, so a child starts fast.  The PNG goes to ``OUT.png.tmp``;
the parent moves it into place once the child has exited 0.
"""

from __future__ import annotations

import sys
from pathlib import Path

#: Debian's Noto folders (fonts-noto-cjk): the charts' Chinese font.
FONT_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/noto")


def register_fonts() -> None:
    """Make the installed Noto fonts known to vl-convert (missing folders are skipped)."""
    import vl_convert as vlc

    for folder in FONT_DIRS:
        if Path(folder).is_dir():
            vlc.register_font_directory(folder)


def main(argv: list[str] | None = None) -> None:
    import vl_convert as vlc

    spec_path, png_path = argv if argv is not None else sys.argv[1:]
    register_fonts()
    png = vlc.vegalite_to_png(Path(spec_path).read_text(encoding="utf-8"), scale=2)
    Path(f"{png_path}.tmp").write_bytes(png)


if __name__ == "__main__":
    main()
