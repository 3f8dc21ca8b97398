"""CLI command groups. Each module defines `register(app)`; `c360.cli` calls them in order."""
