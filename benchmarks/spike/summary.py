"""The spike's samples as a table: per step (or the whole run) and request, percentiles.

    python benchmarks/spike/summary.py var/spike/samples.csv [rates] [step seconds]

rates: the SPIKE_STEPS of a stepped run ("5,10,20,40"); without them, one row per request.
Client times are Locust's (queueing in gunicorn's backlog included, and Locust shares the
machine); server times are the Server-Timing header of benchmark mode (the view and
middleware only).
"""

import csv
import sys
from collections import defaultdict

ORDER = ["sign in", "barometer form", "file barometer", "home after filing"]


def pct(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main():
    path = sys.argv[1]
    rates = [float(r) for r in sys.argv[2].split(",")] if len(sys.argv) > 2 and sys.argv[2] else []
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 30.0
    groups = defaultdict(lambda: {"client": [], "server": [], "fails": 0, "at": []})
    with open(path) as f:
        for row in csv.DictReader(f):
            if row["name"] not in ORDER:
                continue  # the counselors' and teachers' pages: not the spike
            step = int(row["step"]) if rates and row["step"] != "" else -1
            g = groups[(step, row["name"])]
            g["client"].append(float(row["client_ms"]))
            if row["server_ms"]:
                g["server"].append(float(row["server_ms"]))
            g["fails"] += int(row["failed"])
            g["at"].append(float(row["at_s"]))
    head = "| request | count | fails | p50 ms | p95 ms | p99 ms | server p50 | server p95 |"
    if rates:
        head = "| rate asked /s | filings /s | " + head[2:]
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for (step, name), g in sorted(groups.items(), key=lambda kv: (kv[0][0], ORDER.index(kv[0][1]))):
        c, s = g["client"], g["server"]
        cells = [
            name,
            str(len(c)),
            str(g["fails"]),
            f"{pct(c, 50):.0f}",
            f"{pct(c, 95):.0f}",
            f"{pct(c, 99):.0f}",
            f"{pct(s, 50):.0f}" if s else "",
            f"{pct(s, 95):.0f}" if s else "",
        ]
        if rates:
            got = len(c) / seconds if name == "file barometer" else None
            cells = [f"{rates[step]:g}", f"{got:.1f}" if got is not None else ""] + cells
        print("| " + " | ".join(cells) + " |")
    filings = [g["at"] for (step, name), g in groups.items() if name == "file barometer"]
    at = sorted(t for ts in filings for t in ts)
    if len(at) > 1:
        span = at[-1] - at[0]
        print(
            f"\n{len(at)} filings between {at[0]:.0f} s and {at[-1]:.0f} s of the run: "
            f"{len(at) / span:.1f} a second on average."
        )


if __name__ == "__main__":
    main()
