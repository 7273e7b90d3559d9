"""vl-convert's fonts: the Noto folders the charts are drawn with (kept apart so a child can import only this)."""

from __future__ import annotations

from pathlib import Path

#: Debian's Noto folders (fonts-noto-cjk): the charts' Chinese font.
FONT_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/noto")


def register_fonts() -> None:
    """Make the installed Noto fonts known to vl-convert (missing folders are skipped)."""
    import vl_convert as vlc

    for folder in FONT_DIRS:
        if Path(folder).is_dir():
            vlc.register_font_directory(folder)
