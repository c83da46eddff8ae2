"""Renders saga-bench results as a PNG: the client-side saga latency distribution (CDF) per concurrency, and the
sagas completed per second over each run, with the database's ceiling as a line when a ceiling result is given.

    .local/venv/bin/python Scripts/bench/plot.py OUTPUT.png RESULT.json [RESULT.json ...]

Each RESULT.json is a `saga-bench service --json` or `saga-bench ceiling --json` file.
"""

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def load(paths):
    """The service runs and the ceiling (sagas/s, or None) found in the files."""
    runs, ceiling = [], None
    for path in paths:
        with open(path) as handle:
            result = json.load(handle)
        runs.extend(result.get("service") or [])
        figures = result.get("ceiling")
        if figures and figures.get("ceiling", {}).get("sagasPerSecond"):
            ceiling = figures["ceiling"]["sagasPerSecond"]
    return runs, ceiling


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    output, paths = argv[1], argv[2:]
    runs, ceiling = load(paths)
    if not runs:
        sys.exit("no service run in " + ", ".join(paths))
    figure, (cdf, series) = plt.subplots(1, 2, figsize=(13, 5))
    for run in runs:
        label = f"concurrency {run['concurrency']} ({run['placed']} orders)"
        latencies = sorted(run["clientSagaLatenciesMs"])
        if latencies:
            fractions = [(index + 1) / len(latencies) for index in range(len(latencies))]
            cdf.step(latencies, fractions, where="post", label=label)
        per_second = run["completionsPerSecond"]
        if run.get("openLoop"):
            label += ", open loop"
        series.plot(
            range(len(per_second)), per_second, marker="." if len(per_second) < 30 else None,
            label=f"{label}: {run['sagasPerSecond']:.1f} sagas/s",
        )
    cdf.set_xscale("log")
    cdf.set_xlabel("saga latency, POST sent → terminal event on the stream (ms, log scale)")
    cdf.set_ylabel("fraction of sagas")
    cdf.set_title("Client-side saga latency (CDF)")
    cdf.grid(True, which="both", alpha=0.3)
    cdf.legend(loc="lower right", fontsize="small")
    if ceiling:
        series.axhline(ceiling, color="grey", linestyle="--", label=f"database ceiling: {ceiling:.1f} sagas/s")
    series.set_ylim(bottom=0)
    series.set_xlabel("seconds since the run began")
    series.set_ylabel("sagas completed per second")
    series.set_title("Throughput over time")
    series.grid(True, alpha=0.3)
    series.legend(loc="upper right", fontsize="small")
    figure.tight_layout()
    figure.savefig(output, dpi=110)
    print(output)


if __name__ == "__main__":
    main(sys.argv)
