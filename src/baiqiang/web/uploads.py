"""Uploaded files: a size limit, the type sniffed from the bytes, a server-chosen name.

The extension a user gives is never trusted and the user's file name never
becomes part of a path: the bytes are written under a random name in a
private temporary folder, with the suffix of the *sniffed* type (the
importers choose their reader by suffix).
"""

from __future__ import annotations

import io
import re
import tempfile
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

from starlette.datastructures import UploadFile

from baiqiang.errors import DataError

CHUNK = 1 << 16
TABLE_TYPES = ("xlsx", "csv")
TEXT_TYPES = ("txt",)


class TooLarge(DataError):
    """The upload exceeds the size limit (HTTP 413)."""


@dataclass(frozen=True)
class Upload:
    """A received file: what the user called it (display only), its sniffed type and where it is."""

    display_name: str
    kind: str  # xlsx | csv | txt
    path: Path
    size: int


def display_name(name: str | None) -> str:
    """The user's file name reduced to a label: no folders, no control characters, at most 100 characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[\x00-\x1f\x7f]", "", base).strip().lstrip(".")
    return base[:100] or "upload"


async def read_limited(upload: UploadFile, limit: int) -> bytes:
    """The upload's bytes, or :class:`TooLarge` as soon as more than ``limit`` arrive."""
    buf = bytearray()
    while chunk := await upload.read(CHUNK):
        buf += chunk
        if len(buf) > limit:
            raise TooLarge.single(display_name(upload.filename), f"文件超过上限 {limit // (1024 * 1024)} MB",
                                  "too_large")
    return bytes(buf)


def _looks_like_markup(head: bytes) -> bool:
    text = head[:2048].lstrip().lower()
    return text.startswith((b"<!doctype", b"<html", b"<?xml", b"<svg", b"<script", b"<body", b"<table", b"<head"))


def sniff(data: bytes, name: str, allowed: tuple[str, ...]) -> str:
    """The file's real type from its bytes: an XLSX is a ZIP with a workbook part; CSV/TXT is text."""
    label = display_name(name)
    if data[:4] == b"PK\x03\x04":
        try:
            parts = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            parts = set()
        if "xl/workbook.xml" in parts and "[Content_Types].xml" in parts and "xlsx" in allowed:
            return "xlsx"
        raise DataError.single(label, "ZIP 文件不是 Excel 工作簿（.xlsx）", "bad_type")
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise DataError.single(label, "旧版 .xls 格式不受支持，请另存为 .xlsx 或 CSV", "bad_type")
    if b"\x00" in data[:8192] or _looks_like_markup(data.lstrip(b"\xef\xbb\xbf")):
        raise DataError.single(label, "文件内容不是表格或文本（可能是网页或二进制文件），已拒绝", "bad_type")
    if not data.strip():
        raise DataError.single(label, "文件是空的", "empty")
    for kind in ("csv", "txt"):
        if kind in allowed:
            return kind
    raise DataError.single(label, f"不接受的文件类型；可上传：{'、'.join(allowed)}", "bad_type")


def save(data: bytes, name: str, kind: str) -> Upload:
    """Write ``data`` under a random name in a new private temporary folder."""
    folder = Path(tempfile.mkdtemp(prefix="baiqiang-upload-"))
    path = folder / f"{uuid.uuid4().hex}.{kind}"
    path.write_bytes(data)
    return Upload(display_name(name), kind, path, len(data))


def discard(upload: Upload) -> None:
    upload.path.unlink(missing_ok=True)
    try:
        upload.path.parent.rmdir()
    except OSError:
        pass
