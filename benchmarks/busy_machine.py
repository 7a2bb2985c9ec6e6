"""How ``CyclicClassifier.fit`` holds up on a machine that other jobs keep busy.

Run from the repository root::

    python benchmarks/busy_machine.py [--epochs 6] [--repeats 2]

Each fit runs in a fresh Python process (as a user's script would), on 80
synthetic stars, with ``n_jobs=None`` (one thread, the default) and with
``n_jobs=-1`` (a thread per core: what torch uses when nothing limits it, and
what the package did before ``n_jobs`` existed). Every setting is timed on
the quiet machine and beside three CPU-bound processes (``while True:
pass``; ``--busy`` sets how many), in one run, interleaved, so the
ratios compare like with like. Results go to
``benchmarks/results/busy_machine.{json,md}`` with the machine, versions,
commit and load averages. Not part of the test suite.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parent.parent

# One fit in a fresh process; prints its wall time. OMP_NUM_THREADS is unset, as on a user's machine.
FIT = """
import sys, time
from astro_cyclic import CyclicClassifier
from astro_cyclic.datasets import make_periodic_variables
n_jobs = None if sys.argv[1] == "None" else int(sys.argv[1])
survey = make_periodic_variables(80, random_state=0)
clf = CyclicClassifier(max_epochs=int(sys.argv[2]), n_jobs=n_jobs, random_state=0)
start = time.perf_counter()
clf.fit(survey.light_curves, survey.target)
print(time.perf_counter() - start)
"""


def _fit_seconds(n_jobs, epochs):
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "MKL_NUM_THREADS",
                                                            "OPENBLAS_NUM_THREADS")}
    done = subprocess.run([sys.executable, "-c", FIT, str(n_jobs), str(epochs)], capture_output=True, text=True,
                          env=env, check=True, cwd=ROOT)
    return float(done.stdout.strip().splitlines()[-1])


# Spins until killed, or for 30 minutes at most should this script die first.
_SPIN = "import time\nend = time.monotonic() + 1800\nwhile time.monotonic() < end:\n    pass"


def _busy(n):
    """``n`` CPU-bound processes (killed by the caller, or ending by themselves after 30 minutes)."""
    return [subprocess.Popen([sys.executable, "-c", _SPIN]) for _ in range(n)]


def main(argv=None):
    from astro_cyclic import __version__
    from harness import describe_machine

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--busy", type=int, default=3, help="CPU-bound processes beside the busy fits")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    import torch

    n_busy = args.busy
    settings = ["None", "-1"]
    times = {(s, c): [] for s in settings for c in ("quiet", "busy")}
    machine_before = describe_machine()
    for _ in range(args.repeats):
        for setting in settings:
            times[(setting, "quiet")].append(_fit_seconds(setting, args.epochs))
        workers = _busy(n_busy)
        try:
            time.sleep(2)  # let them take the cores
            for setting in settings:
                times[(setting, "busy")].append(_fit_seconds(setting, args.epochs))
        finally:
            for worker in workers:
                worker.kill()
                worker.wait()
        time.sleep(2)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    rows = []
    for setting in settings:
        quiet, busy = min(times[(setting, "quiet")]), min(times[(setting, "busy")])
        rows.append({"n_jobs": None if setting == "None" else int(setting), "quiet_seconds": quiet,
                     "busy_seconds": busy, "busy_over_quiet": busy / quiet,
                     "all_quiet_seconds": times[(setting, "quiet")], "all_busy_seconds": times[(setting, "busy")]})
    result = {"what": f"CyclicClassifier.fit, 80 synthetic stars, {args.epochs} epochs; quiet, and "
                      f"beside {n_busy} CPU-bound processes; each fit in a fresh process; best of {args.repeats}",
              "machine": machine_before, "load_average_after": describe_machine()["load_average"],
              "versions": {"astro_cyclic": __version__, "torch": torch.__version__, "python": sys.version.split()[0]},
              "torch_default_threads": torch.get_num_threads(), "commit": commit, "rows": rows}
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / "busy_machine.json").write_text(json.dumps(result, indent=1))
    lines = [f"# fit on a busy machine ({result['what']})", "",
             f"Machine: {machine_before['cpu']}, {machine_before['usable_cpus']} usable cores; torch "
             f"{torch.__version__} (default threads: {result['torch_default_threads']}); commit {commit}.", "",
             "| n_jobs | threads | quiet (s) | busy (s) | busy / quiet |", "|---|---|---|---|---|"]
    for row in rows:
        threads = 1 if row["n_jobs"] is None else machine_before["usable_cpus"]
        lines.append(f"| {row['n_jobs']} | {threads} | {row['quiet_seconds']:.1f} | {row['busy_seconds']:.1f} | "
                     f"{row['busy_over_quiet']:.1f}x |")
    (args.output / "busy_machine.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
