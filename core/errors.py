"""Errors shared by every subcommand."""
from __future__ import annotations


class UserError(Exception):
    """An error whose message is enough for the user: the CLI prints it as one line and exits 2."""
