"""The published JSON Schema of framework files, with the method registry folded in."""

from __future__ import annotations

from typing import Any

from baiqiang.framework.spec import Framework
from baiqiang.methods import registry


def json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a framework file.

    The pydantic model gives the shape; each method family's allowed names and
    their parameter constraints are attached under ``x-methods`` so editors and
    other tools can validate ``methodology[*].params`` too.
    """
    schema = Framework.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Baiqiang framework"
    schema["x-methods"] = {
        m.qualname: {
            "summary": m.summary,
            "params": {
                name: {**p.constraint.json_schema(), "description": p.help, **({"default": p.default} if not p.required else {})}
                for name, p in m.params.items()
            },
            "required": [name for name, p in m.params.items() if p.required],
        }
        for m in registry.methods()
    }
    return schema
