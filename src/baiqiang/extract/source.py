"""Read a document: a path or ``-`` (stdin), UTF-8 or GBK, with its checksum."""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

from baiqiang.errors import BaiqiangError

_CHINESE_ENCODINGS = ("gb18030", "gbk", "gb2312", "big5", "utf_8", "utf_16", "hz")


@dataclass(frozen=True)
class Document:
    """A document's text, where it came from and the SHA-256 of its bytes."""

    path: str
    text: str
    encoding: str
    sha256: str


def decode(data: bytes, where: str) -> tuple[str, str]:
    """Decode UTF-8 (with or without BOM), else the Chinese encoding that fits."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:  # GB18030 is a superset of GBK and GB2312, the usual legacy encodings
        text = data.decode("gb18030")
        if _mostly_chinese(text):
            return text, "gb18030"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None or best.encoding not in _CHINESE_ENCODINGS:
        raise BaiqiangError.single(where, "无法识别文本编码（需要 UTF-8 或 GBK）", "encoding")
    return str(best), best.encoding


def _mostly_chinese(text: str) -> bool:
    sample = text[:4000]
    han = sum(1 for c in sample if "\u4e00" <= c <= "\u9fff")
    return han >= 0.2 * max(1, len(sample.strip()))


def read_document(path: str | Path) -> Document:
    """Read ``path`` (``-`` for stdin) and decode it."""
    where = "<stdin>" if str(path) == "-" else str(path)
    if str(path) == "-":
        data = sys.stdin.buffer.read()
    else:
        p = Path(path)
        if not p.is_file():
            raise BaiqiangError.single(where, "文件不存在", "missing")
        data = p.read_bytes()
    text, encoding = decode(data, where)
    return Document(where, text, encoding, hashlib.sha256(data).hexdigest())
