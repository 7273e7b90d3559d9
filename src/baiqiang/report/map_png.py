"""The PDF's national map drawn with Pillow from the bundled geometry (no vl-convert, no child process).

vl-convert needs about 0.6 s to start V8 and 1.5 s to rasterise the whole country at
scale 2, which made the map the head of the publishing chain.  The PDF only needs a
picture, so it is drawn here: every ring is projected at once with NumPy (the same
conic equal-area projection and fit as the Vega-Lite spec, :data:`charts.PROJECTION`),
filled with ``ImageDraw.polygon`` at 2× the target size and reduced (which smooths the
edges), and coloured by the Vega "reds" scheme on the scores' [min, max] domain, as
Vega-Lite's linear colour scale does.  The title and legend are HTML/CSS in the report
(:func:`map_legend`); the interactive HTML map stays Vega.
"""

from __future__ import annotations

import io
import os
from functools import lru_cache
from itertools import chain
from pathlib import Path

import numpy as np

from baiqiang.report.charts import GREY, PROJECTION, REDS
from baiqiang.report.geometry import load_geometry

SUPERSAMPLE = 2
"""Drawn this many times larger, then reduced: Pillow fills polygons without anti-aliasing."""


def _hex_rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def scheme_colours(t: np.ndarray, stops: tuple[str, ...] = REDS) -> np.ndarray:
    """RGB (uint8, one row per value) of ``t`` in [0, 1] on a piecewise-linear RGB ramp through ``stops``.

    Vega's continuous schemes are ``piecewise(interpolateRgb, colours)`` (vega-scale
    ``interpolateColors``): ``t`` falls in segment ``i = floor(t·(n−1))`` and is mixed
    linearly there; d3's ``interpolateRgb`` rounds each channel.
    """
    rgb = np.array([_hex_rgb(c) for c in stops], dtype=float)
    pos = np.clip(np.asarray(t, dtype=float), 0.0, 1.0) * (len(stops) - 1)
    i = np.minimum(pos.astype(int), len(stops) - 2)
    f = (pos - i)[:, None]
    return np.round(rgb[i] * (1 - f) + rgb[i + 1] * f).astype(np.uint8)


def score_colours(scores: np.ndarray) -> np.ndarray:
    """Colours of ``scores`` on the linear scale of the map's spec: domain [min, max], "reds" range."""
    lo, hi = float(np.min(scores)), float(np.max(scores))
    return scheme_colours((scores - lo) / (hi - lo) if hi > lo else np.zeros(len(scores)))


def conic_equal_area(lon: np.ndarray, lat: np.ndarray, parallels: tuple[float, float], rotate: float) -> tuple[np.ndarray, np.ndarray]:
    """Albers conic equal-area (d3 ``geoConicEqualAreaRaw``), y upwards, after rotating longitudes by ``rotate``.

    n = (sin φ₀ + sin φ₁)/2, C = 1 + sin φ₀ (2n − sin φ₀), ρ₀ = √C/n;
    ρ = √(C − 2n sin φ)/n, x = ρ sin(nλ), y = ρ₀ − ρ cos(nλ) (Snyder 1987, §14).
    """
    phi0, phi1 = np.radians(parallels)
    n = (np.sin(phi0) + np.sin(phi1)) / 2
    c = 1 + np.sin(phi0) * (2 * n - np.sin(phi0))
    lam = np.radians((lon + rotate + 180) % 360 - 180)
    rho = np.sqrt(c - 2 * n * np.sin(np.radians(lat))) / n
    return rho * np.sin(n * lam), np.sqrt(c) / n - rho * np.cos(n * lam)


@lru_cache(maxsize=1)
def _rings() -> tuple[list[str], np.ndarray, list[list[tuple[int, int]]], list[str]]:
    """Every ring of the geometry as one coordinate array: (feature adcodes, lon/lat rows, per feature
    its polygons' [start, stop) row ranges (exterior first), feature layers)."""
    codes, layers, parts, chunks, start = [], [], [], [], 0
    for f in load_geometry()["features"]:
        codes.append(f["properties"]["adcode"])
        layers.append(f["properties"]["layer"])
        polys = []
        for polygon in f["geometry"]["coordinates"]:
            ranges = []
            for ring in polygon:
                chunks.append(ring)
                ranges.append((start, start + len(ring)))
                start += len(ring)
            polys.append(ranges)
        parts.append(polys)
    # One flat pass over the floats (np.array over 177k [lon, lat] lists costs ~0.1 s).
    flat = np.fromiter(chain.from_iterable(chain.from_iterable(chunks)), dtype=float, count=2 * start)
    return codes, flat.reshape(-1, 2), parts, layers


def projected(width: int, height: int) -> np.ndarray:
    """Pixel coordinates of every vertex, fitted to ``width`` × ``height`` as d3's ``fitSize`` does.

    fitSize scales the projected bounds by k = min(w/Δx, h/Δy) and centres them; y grows downwards.
    """
    _, lonlat, _, _ = _rings()
    x, y = conic_equal_area(lonlat[:, 0], lonlat[:, 1], tuple(PROJECTION["parallels"]), PROJECTION["rotate"][0])
    y = -y
    k = min(width / (x.max() - x.min()), height / (y.max() - y.min()))
    return np.column_stack([k * (x - (x.max() + x.min()) / 2) + width / 2, k * (y - (y.max() + y.min()) / 2) + height / 2])


def draw_choropleth(scores: dict[str, float], width: int, height: int, scale: int = 2) -> bytes:
    """PNG bytes of the county map: ``scores`` (adcode → score) coloured, every other county grey, province outlines.

    Drawing is one ImageDraw call per ring (Pillow has no batch fill); polygons with holes
    are filled through a mask so enclaves and holes stay as they are.
    """
    from PIL import Image, ImageDraw

    codes, _, parts, layers = _rings()
    ss = scale * SUPERSAMPLE
    xy = projected(width * ss, height * ss)
    keys = [c for c, layer in zip(codes, layers) if layer == "county" and c in scores]
    colours = dict(zip(keys, map(tuple, score_colours(np.array([scores[c] for c in keys])))))
    grey = _hex_rgb(GREY)
    img = Image.new("RGB", (width * ss, height * ss), "white")
    draw = ImageDraw.Draw(img)
    outline = (255, 255, 255)
    for code, layer, polys in zip(codes, layers, parts):
        if layer != "county":
            continue
        fill = colours.get(code, grey)
        for ranges in polys:
            (a, b), holes = ranges[0], ranges[1:]
            ring = xy[a:b].ravel().tolist()
            if not holes:
                draw.polygon(ring, fill=fill, outline=outline)
                continue
            lo, hi = np.floor(xy[a:b].min(axis=0)).astype(int), np.ceil(xy[a:b].max(axis=0)).astype(int) + 1
            mask = Image.new("L", tuple(hi - lo), 0)
            md = ImageDraw.Draw(mask)
            md.polygon((xy[a:b] - lo).ravel().tolist(), fill=255)
            for c, d in holes:
                md.polygon((xy[c:d] - lo).ravel().tolist(), fill=0)
            img.paste(fill, (int(lo[0]), int(lo[1]), int(hi[0]), int(hi[1])), mask)
    stroke = _hex_rgb("#888888")
    for layer, polys in zip(layers, parts):
        if layer == "province":
            for ranges in polys:
                for a, b in ranges:
                    draw.line(xy[a:b].ravel().tolist(), fill=stroke, width=SUPERSAMPLE)
    img = img.reduce(SUPERSAMPLE)
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=False)
    return buf.getvalue()


def write_choropleth(scores: dict[str, float], path: Path, width: int, height: int) -> None:
    """Write :func:`draw_choropleth` to ``path`` atomically (written aside, then moved)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(draw_choropleth(scores, width, height))
    os.replace(tmp, path)
