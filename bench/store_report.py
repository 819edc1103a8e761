#!/usr/bin/env python3
"""Prints the store comparison of a bench/run.sh --store-only (or --pg) run as Markdown:
ACK throughput of explainerd with SQLite synchronous=full and with PostgreSQL at 1/4/16/64
connections, against the disk's raw fsync rate measured in the same run.

usage: bench/store_report.py RESULTS_DIR
"""
import json
import pathlib
import sys


def load(path):
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    results = pathlib.Path(sys.argv[1])
    machine = load(results / "machine.json") or {}
    fsync = load(results / "fsync.json") or {}
    rate = fsync.get("syncs_per_s") or 0
    print(f"machine: {machine.get('nproc', '?')} cores, {machine.get('cpu', '?')}, "
          f"commit {machine.get('commit', '?')}, {machine.get('date', '?')}, load {machine.get('load', '?')}")
    print(f"raw fsync rate (4 KB overwrite + fdatasync, data dir's disk): {rate:,.0f}/s "
          f"(p50 {fsync.get('p50_ms', 0):.2f} ms, p99 {fsync.get('p99_ms', 0):.2f} ms)")
    print()
    print("| store | connections | ACKs/s | vs fsync rate | p50 ms | p99 ms | errors | messages per WAL flush |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, label in (("full", "SQLite synchronous=full"), ("postgres", "PostgreSQL")):
        for c in (1, 4, 16, 64):
            r = load(results / f"load-explainerd-{name}-c{c}.json")
            if not r:
                continue
            ratio = f"{r['msgs_per_s'] / rate:.1f}x" if rate else "-"
            per_flush = "-"
            if name == "postgres":
                try:
                    syncs = int((results / f"pg-wal-syncs-c{c}.txt").read_text())
                    per_flush = f"{r['acked'] / syncs:.1f}" if syncs > 0 else "-"
                except (OSError, ValueError):
                    pass
            print(f"| {label} | {c} | {r['msgs_per_s']:,.0f} | {ratio} | {r['p50_us'] / 1000:.1f} | "
                  f"{r['p99_us'] / 1000:.1f} | {r['errors'] + r['bad_acks']} | {per_flush} |")


if __name__ == "__main__":
    main()
