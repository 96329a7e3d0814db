"""Serve the demo portal until Ctrl-C:  python -m demoportal [--port-base 8100] [--seed 0] [--sources FILE]"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from .portal import start_portal


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m demoportal", description="Serve the nianbao demo portal.")
    ap.add_argument("--port-base", type=int, default=None,
                    help="serve site i on port PORT_BASE+i (default: free ports)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--slow-seconds", type=float, default=2.0)
    ap.add_argument("--generation", type=int, default=1, choices=(1, 2))
    ap.add_argument("--sources", default=None, help="also write a sources YAML for these ports to this file")
    ap.add_argument("--platforms", default="mixed", choices=("mixed", "auto", "declared"))
    args = ap.parse_args(argv)
    portal = start_portal(host=args.host, slow_seconds=args.slow_seconds, seed=args.seed,
                          generation=args.generation, port_base=args.port_base)
    counts = portal.expected()["counts"]
    print(f"nianbao demo portal: {counts['reports']} reports, {counts['decoys']} decoys, seed {args.seed}, "
          f"generation {args.generation}")
    for s in portal.sites:
        print(f"  {s.id:<15} {s.base_url:<28} {s.cms:<9} {s.name}")
    if args.sources:
        print(f"sources written to {portal.write_sources(args.sources, platforms=args.platforms)}")
    print("Ctrl-C to stop.", flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    try:
        while not done.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        portal.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
