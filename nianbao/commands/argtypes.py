"""Argument types shared by the subcommands: bad numbers and ids are refused by argparse, before any work."""
from __future__ import annotations

import argparse
import math


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def seconds(text: str) -> float:
    """0 or more seconds (refuses negative numbers, nan and inf)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more seconds, not {text}")
    return value


def positive_seconds(text: str) -> float:
    """More than 0 seconds (refuses 0, negative numbers, nan and inf)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds, not {text}")
    return value


def run_id(text: str) -> str:
    """One plain path component (core.layout.check_run_id): no separator, no '..'."""
    from core.errors import UserError
    from core.layout import check_run_id

    try:
        return check_run_id(text)
    except UserError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
