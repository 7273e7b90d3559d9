"""Baiqiang (百强): open, reproducible county economy rankings."""

__version__ = "0.1.0"
