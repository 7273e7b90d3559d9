"""Framework files: the declarative description of an index, and its validation."""

from baiqiang.framework.spec import Aggregate, Framework, Indicator, Name, Step, Universe
from baiqiang.framework.structure import Hierarchy
from baiqiang.framework.validate import load_framework, parse_framework

__all__ = ["Aggregate", "Framework", "Hierarchy", "Indicator", "Name", "Step", "Universe", "load_framework", "parse_framework"]
