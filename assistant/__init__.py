"""AI assistant: question -> one guarded read-only SQL statement over a semantic model (issue 11)."""
