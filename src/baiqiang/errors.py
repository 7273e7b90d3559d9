"""Domain errors shared by every layer.

Each problem is a :class:`Problem` that names *where* (file, row, column or key
path) and *what*.  Validators collect problems and raise them together as one
:class:`BaiqiangError`, so a user sees every mistake at once, not one per run.
The CLI maps a ``BaiqiangError`` to a message and exit code 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
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


#: Why a YAML document could not be read, by the problem code each reason is reported with.
YAML_READ_REASONS = {"missing": "not_found", "directory": "not_found", "invalid": "yaml", "nested": "yaml"}


def read_yaml(path: Path, error: type["BaiqiangError"], messages: dict[str, str]) -> Any:
    """Parse the YAML (or JSON) file ``path``; every way it cannot be read is one located ``error``.

    ``messages`` words each reason of :data:`YAML_READ_REASONS` for the file's kind (``invalid``
    may hold ``{}`` for the parser's own message): a missing file, a folder, text that is not
    YAML or not UTF-8, and a document nested too deeply for the parser.
    """
    import yaml

    reason, detail = "", ""
    try:
        # libyaml's parser when PyYAML was built with it: 15x faster than the pure-Python one, same data;
        # unlike the pure-Python one it accepts any depth, so the depth is checked here.
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        if not _nesting_within(data, YAML_MAX_DEPTH):
            raise RecursionError
        return data
    except FileNotFoundError:
        reason = "missing"
    except IsADirectoryError:
        reason = "directory"
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        reason, detail = "invalid", str(exc)
    except RecursionError:
        reason = "nested"
    raise error.single(str(path), messages[reason].format(detail), YAML_READ_REASONS[reason])


#: The deepest nesting a YAML document may have; real frameworks and recipes nest fewer than 20 levels.
YAML_MAX_DEPTH = 200


def _nesting_within(data: Any, limit: int) -> bool:
    """Whether lists and mappings in ``data`` nest at most ``limit`` deep (walked without recursion)."""
    stack = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return False
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        stack.extend((child, depth + 1) for child in children)
    return True


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

    def render(self, lang: str = "zh") -> str:
        """The message in ``lang``: as :meth:`__str__` for ``zh``; for ``en`` locations and the common
        problems in English (:data:`PROBLEMS_EN`), the original text kept in brackets for the rest."""
        if lang != "en":
            return str(self)
        lines = [f"{english_where(p.where)}: {english_message(p)}" for p in self.problems]
        if len(lines) == 1:
            return lines[0]
        return "\n".join([f"{len(lines)} problem(s) found", *(f"  - {line}" for line in lines)])

    @classmethod
    def single(cls, where: str, message: str, code: str = "invalid") -> "BaiqiangError":
        return cls([Problem(where, message, code)], summary=f"{where}: {message}")


class FrameworkError(BaiqiangError):
    """The framework file is invalid."""


class DataError(BaiqiangError):
    """Input data is invalid or does not fit the framework."""


#: English text of the common problems, by :attr:`Problem.code` (the Chinese message, which may
#: carry values such as the cell, is kept after it in brackets).
PROBLEMS_EN: dict[str, str] = {
    "file_missing": "file not found", "not_a_file": "is a folder, not a data file",
    "unsupported": "unsupported file type (CSV, XLSX or Parquet)", "corrupt": "the file is damaged or not in its format",
    "encoding": "cannot decode the text (UTF-8 or GBK expected)", "empty": "no data in the table",
    "missing_column": "a required column is missing", "missing_year": "no year: give --year or a 年份 column",
    "duplicate_column": "duplicate column", "ragged": "the row has a different number of fields than the header",
    "non_numeric": "not a number", "non_finite": "not a finite number (inf, or beyond double range such as 1e309)",
    "unknown_indicator": "indicator not in the catalog", "unknown_unit": "unit code not in the unit table",
    "bad_year": "the year is missing or not a whole number", "duplicate": "given more than once",
    "unit": "the unit of measure does not convert to the indicator's unit",
    "not_a_store": "not a DuckDB database (give a .duckdb file or a new .duckdb path)",
    "bad_option": "invalid option value", "no_data": "no data for this selection",
    "missing_indicator": "indicator missing from the data", "no_batch": "no such import batch (or already undone)",
    "no_version": "no such version", "store": "cannot open the database", "sheet": "no such worksheet",
    "ambiguous": "ambiguous name: several units match", "unknown_place": "unknown unit",
    "missing_input": "an input is missing", "not_ranked": "the unit was not ranked (screened out)",
    "not_in_data": "the unit is not in this data", "no_year": "no year given (use --year)",
    "bad_n": "the sample size is too small", "not_found": "not found", "too_few_units": "too few units",
    "bad_value": "invalid value", "missing_extra": "an optional component is not installed",
}


def english_where(where: str) -> str:
    """A location in English: ``第 12 行`` → ``row 12``, ``列`` → ``column``, ``表头`` → ``header``."""
    import re

    out = re.sub(r"第 ([\d、]+) 行", lambda m: "row " + m.group(1).replace("、", ", "), where)
    return out.replace("列 ", "column ").replace("表头", "header").replace("批次 ", "batch ").replace("指标 ", "indicator ")


def english_message(problem: Problem) -> str:
    """The English text of a problem, with the original in brackets; the original alone when no text is known."""
    text = PROBLEMS_EN.get(problem.code)
    return f"{text} ({problem.message})" if text else problem.message
