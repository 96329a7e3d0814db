"""Errors shared by every subcommand."""
from __future__ import annotations


class UserError(Exception):
    """An error whose message is enough for the user: the CLI prints it as one line and exits 2
    (or with the subclass's `exit_code`)."""

    exit_code = 2


class WorkFailed(UserError):
    """Work that ran and failed in part (the summary says what): one line, exit status 1, never a success."""

    exit_code = 1
