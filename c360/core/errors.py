"""Errors a user can act on. The CLI prints them as one line, never a traceback."""


class C360Error(Exception):
    """A failure with a message that tells the user what to do (exit code 1)."""


class InputError(C360Error):
    """Bad user input discovered after argument parsing (exit code 2, like a usage error)."""

    exit_code = 2
