"""Test driver: runs `nianbao` commands one after another in ONE process, so Prefect's temporary server
starts once for several flow runs (each start costs 20-40 s on a small machine).

The parent (tests/flows/conftest.py) sets the environment (PREFECT_HOME, DO_NOT_TRACK, ...) and writes one JSON
object per line to stdin:

    {"label": "run1", "argv": ["run", "--sources", "...", "--data-dir", "..."], "out": "/tmp/.../run1.json"}
    {"label": "rx", "flow": "reextract", "kwargs": {"data_dir": "..."}, "out": "..."}   (a flow of flows.nightly
                                                    called directly: flows without a command of their own)
    {"quit": true}

For each command the driver calls `nianbao.cli.main(argv)` (the real `nianbao run`: argument handling, the flow,
the closing summary, the exit code), writes {"label", "rc", "summary", "seconds", "error"} to `out` and prints
"DONE <label>" on stdout. The run summary is the dict the CLI prints (flows.summary.print_run_summary).
"""
from __future__ import annotations

import json
import sys
import time
import traceback
from pathlib import Path


def main() -> int:
    import flows.summary as flow_summary
    from nianbao import cli

    captured: dict = {}
    original = flow_summary.print_run_summary

    def capture(summary, console, queries=True):
        captured["summary"] = summary
        return original(summary, console, queries)

    flow_summary.print_run_summary = capture
    print("READY", flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        cmd = json.loads(line)
        if cmd.get("quit"):
            break
        captured.clear()
        error = None
        t0 = time.perf_counter()
        try:
            if cmd.get("flow"):
                from flows import prefect_env

                prefect_env.configure(quiet=True)
                from flows import nightly

                captured["summary"] = getattr(nightly, cmd["flow"])(**cmd.get("kwargs", {}))
                rc = 0
            else:
                rc = cli.main(cmd["argv"])
        except SystemExit as exc:  # argparse
            rc = exc.code if isinstance(exc.code, int) else 1
        except BaseException:  # noqa: BLE001 - reported to the test
            rc = -1
            error = traceback.format_exc()
        out = {"label": cmd["label"], "rc": rc, "summary": captured.get("summary"),
               "seconds": time.perf_counter() - t0, "error": error}
        Path(cmd["out"]).write_text(json.dumps(out, ensure_ascii=False, default=str), encoding="utf-8")
        print(f"DONE {cmd['label']}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
