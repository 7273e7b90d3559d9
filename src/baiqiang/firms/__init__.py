"""Firm-level records to county indicators: schema, import, recipes, engines, generator.

Data flows one way: :mod:`codes` and :mod:`schema` describe and check records,
:mod:`importer` writes a validated Parquet dataset, :mod:`recipes` declares
indicators, :mod:`compile` turns them into Ibis expressions run by
:mod:`engines` (DuckDB or PySpark), :mod:`indicators` assembles the county
panel, and :mod:`generate` makes a synthetic national registry.
"""
