"""`python -m bench [--quick] [--phases push,commands,recovery,outage,scale] [--no-write]`."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from .report import markdown, table
from .run import FULL, QUICK, Bench
from .stats import machine_info

ROOT = Path(__file__).resolve().parent.parent
ALL_PHASES = ("push", "commands", "recovery", "outage", "scale")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="shorter run (about 3 minutes)")
    parser.add_argument("--phases", default=",".join(ALL_PHASES), help="comma-separated subset")
    parser.add_argument("--push-n", type=int, default=None, help="pushed statuses (latency)")
    parser.add_argument("--no-write", action="store_true", help="do not write docs/performance.md")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "performance.md")
    parser.add_argument("--json", type=Path, default=None, help="also write the raw results here")
    parser.add_argument("--keep", action="store_true", help="keep the work dir (hass/sim logs)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    phases = {p.strip() for p in args.phases.split(",") if p.strip()}
    unknown = phases - set(ALL_PHASES)
    if unknown:
        parser.error(f"unknown phases: {', '.join(sorted(unknown))}")
    profile = QUICK if args.quick else FULL
    if args.push_n:
        profile = replace(profile, push_n=args.push_n)
    workdir = Path(tempfile.mkdtemp(prefix="navilink-bench-"))
    machine = machine_info(os.environ.get("MOSQUITTO"))
    bench = Bench(profile, workdir, os.environ.get("MOSQUITTO"))
    started = time.monotonic()
    ok = False
    try:
        results = asyncio.run(bench.run(phases))
        ok = True
    finally:
        if args.keep or not ok:
            print(f"work dir (hass.log, sim.log): {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    results["machine"] = machine
    results["profile"] = "quick" if args.quick else "full"
    results["wall_s"] = time.monotonic() - started
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    if not args.no_write:
        args.output.write_text(markdown(results))
        print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
