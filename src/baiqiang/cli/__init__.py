"""Command-line interface: thin Typer wrappers over the library."""
