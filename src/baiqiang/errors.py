"""Domain errors shared by every layer.

Each problem is a :class:`Problem` that names *where* (file, row, column or key
path) and *what*.  Validators collect problems and raise them together as one
:class:`BaiqiangError`, so a user sees every mistake at once, not one per run.
The CLI maps a ``BaiqiangError`` to a message and exit code 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input.

    ``where`` is a human-readable location such as ``asem.yaml: indicators[3].parent``
    or ``data.csv: row 12, column GDP``; ``code`` is a stable machine-readable reason.
    """

    where: str
    message: str
    code: str = "invalid"

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def key_path(loc: tuple[Any, ...]) -> str:
    """A pydantic error location as a key path: ``indicators[3].parent``; ``(top)`` for the root."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top)"


def validation_problems(errors: list[dict[str, Any]], source: str) -> list[Problem]:
    """One located problem per entry of pydantic's ``ValidationError.errors()``."""
    return [Problem(f"{source}: {key_path(e['loc'])}", e["msg"], e["type"]) for e in errors]


@dataclass
class BaiqiangError(Exception):
    """A user-facing error made of one or more problems."""

    problems: list[Problem] = field(default_factory=list)
    summary: str = ""

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        # A single problem whose text is the summary (``single``) is printed once.
        if len(self.problems) == 1 and self.summary == str(self.problems[0]):
            return self.summary
        head = self.summary or f"{len(self.problems)} problem(s) found"
        return "\n".join([head, *(f"  - {p}" for p in self.problems)])

    @classmethod
    def single(cls, where: str, message: str, code: str = "invalid") -> "BaiqiangError":
        return cls([Problem(where, message, code)], summary=f"{where}: {message}")


class FrameworkError(BaiqiangError):
    """The framework file is invalid."""


class DataError(BaiqiangError):
    """Input data is invalid or does not fit the framework."""
