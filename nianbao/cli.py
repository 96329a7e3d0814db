"""The `nianbao` command: one subcommand per job.

Each subcommand lives in its own module of nianbao/commands with `register(subparsers)`; the modules are
imported here by name (no string imports), and import their heavy dependencies (Scrapy, Prefect, DuckDB) only
when run, so `nianbao --help` stays fast.
Errors end with a one-line reason and a non-zero exit instead of a traceback.
SIGTERM is turned into the same orderly stop as Ctrl-C (children stopped, locks released, the published
warehouse untouched), with exit status 143.
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
import threading

from core.errors import UserError

from . import __version__
from .commands import crawl_cmd, demo_cmd, extract_cmd, flow_cmd, site_cmd, warehouse_cmd

# Modules with a `register(subparsers)` function, in help order.
SUBCOMMANDS = (demo_cmd, extract_cmd, crawl_cmd, warehouse_cmd, site_cmd, flow_cmd)


class OneLineParser(argparse.ArgumentParser):
    """argparse, with a usage error in one line (the command's name, the reason, where to read more) instead of
    the whole usage block: a wrong argument is an error like any other, one line and exit status 2."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="nianbao",
        description="Crawl, extract and warehouse China's government information-disclosure annual reports.",
    )
    parser.add_argument("--version", action="version", version=f"nianbao {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in SUBCOMMANDS:
        module.register(sub)
    return parser


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the main thread is, so the same cleanup as Ctrl-C runs."""


def _on_sigterm(signum, frame) -> None:
    raise _Terminated()


def _release(exc: BaseException | None) -> None:
    """Drop what the frames of a failed or interrupted command still hold (a DuckDB connection inside a load
    that a Prefect state keeps with its exception), so that nothing is alive at interpreter exit: DuckDB's
    bindings would print dozens of "nanobind: leaked …" lines after the command's one-line error."""
    import gc
    import traceback

    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if exc.__traceback__ is not None:
            traceback.clear_frames(exc.__traceback__)
        exc = exc.__cause__ or exc.__context__
    gc.collect()


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DO_NOT_TRACK", "1")
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    debug = os.environ.get("NIANBAO_DEBUG") == "1"
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:  # output piped into `head` and the like
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        except OSError:
            pass
        return 0
    except _Terminated as exc:
        _release(exc)
        print("nianbao: terminated (SIGTERM)", file=sys.stderr)
        return 143
    except KeyboardInterrupt as exc:
        _release(exc)
        print("nianbao: interrupted", file=sys.stderr)
        return 130
    except UserError as exc:
        _release(exc)
        print(f"nianbao: {exc}", file=sys.stderr)
        return exc.exit_code
    except Exception as exc:  # noqa: BLE001 - the user gets one line; NIANBAO_DEBUG=1 shows the traceback
        if debug:
            raise
        _release(exc)
        print(f"nianbao: {type(exc).__name__}: {exc} (set NIANBAO_DEBUG=1 for the traceback)", file=sys.stderr)
        return 1
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
