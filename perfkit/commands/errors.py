"""The error a command raises for bad input: the CLI prints it as one line and exits 2."""


class UsageError(Exception):
    """Bad input from the user; the message says what is wrong and how to fix it."""
