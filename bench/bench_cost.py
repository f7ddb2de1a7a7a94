"""The cost model against the real thing (issue 16, group 6): estimate vs measured.

    python bench/bench_cost.py             # about a minute

For a few shapes of run, each in a fresh process (so that its peak memory is its own):
the estimated seconds and peak resident memory of `engine/cost.py`, the measured ones, and
their ratios. Measured = training with `train()` and writing each epoch's record as a JSON
line, as `linreg-tui run --json` does (torch loaded beforehand: not part of a run's cost).
The model is right when every ratio is within 2x (0.5 to 2.0). Shared machines differ in
speed from run to run: the load average is printed alongside.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from linreg_tui.engine.config import RunConfig
from linreg_tui.engine.cost import run_peak_bytes, run_seconds

SHAPES = {
    "20,000 epochs of 1 example": RunConfig(num_train=1, num_val=1, batch_size=1, epochs=20_000),
    "20,000 steps of batch 1": RunConfig(num_train=20_000, num_val=1, batch_size=1, epochs=1),
    "the book, 200 epochs": RunConfig(epochs=200),
    "200,000 examples, batch 32": RunConfig(num_train=200_000, num_val=1000, epochs=1),
    "1,000 features, batch 100": RunConfig(
        w=(1.0,) * 1000, num_train=10_000, num_val=1000, batch_size=100, epochs=3
    ),
    "5e6 examples, full batch": RunConfig(
        num_train=5_000_000, num_val=1_000_000, batch_size=5_000_000, epochs=3
    ),
    "1e7 examples, full batch": RunConfig(
        num_train=10_000_000, num_val=1000, batch_size=10_000_000, epochs=2
    ),
}

CHILD = """
import json, re, sys, time
from linreg_tui.engine.config import RunConfig
from linreg_tui.engine.training import train, warm_up
from linreg_tui.store.files import to_json
cfg = RunConfig.from_mapping(json.loads(sys.argv[1]))
warm_up()
start, cpu = time.perf_counter(), time.process_time()
with open("/dev/null", "w") as out:
    for record in train(cfg):
        print(to_json(record), file=out, flush=True)
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
peak = int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read()).group(1)) * 1024
print(json.dumps([seconds, cpu, peak]))
"""


def estimate(cfg: RunConfig) -> tuple[float, int]:
    rows = cfg.num_train + cfg.num_val
    seconds = run_seconds(cfg.total_steps, cfg.total_epochs, rows, cfg.features)
    return seconds, run_peak_bytes(cfg.num_train, cfg.num_val, cfg.features, cfg.batch_size)


def measure(cfg: RunConfig) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds and peak resident bytes of one run, in a fresh process."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(cfg.to_dict())],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    wall, cpu, peak = json.loads(done.stdout.splitlines()[-1])
    return float(wall), float(cpu), int(peak)


def main() -> None:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average {load:.1f} on {os.cpu_count()} cores")
    rows = []
    for name, cfg in SHAPES.items():
        rows.append((name, *estimate(cfg), *measure(cfg)))
    # the machine's speed now against the model's reference (a 100 us SGD step): a shared
    # machine is slower when busy, by the same factor for every shape if the model is right
    _, est_step, _, _, cpu_step, _ = rows[1]
    speed = cpu_step / est_step
    print(
        f"seconds: the estimate against the run's CPU time; 'scaled': times {speed:.2f}, this "
        "machine's speed now against the model's reference (the 20,000-step shape)"
    )
    head = (
        f"{'shape':28s} {'est s':>6s} {'cpu s':>6s} {'wall s':>6s} {'ratio':>6s} {'scaled':>6s}"
        f"   {'est MB':>6s} {'peak MB':>7s} {'ratio':>5s}"
    )
    print(head)
    print("-" * len(head))
    worst_raw = worst_scaled = worst_mem = 1.0
    for name, est_s, est_b, wall, cpu, peak in rows:
        raw, scaled, mem = est_s / cpu, est_s * speed / cpu, est_b / peak
        worst_raw = max(worst_raw, raw, 1 / raw)
        worst_scaled = max(worst_scaled, scaled, 1 / scaled)
        worst_mem = max(worst_mem, mem, 1 / mem)
        print(
            f"{name:28s} {est_s:6.2f} {cpu:6.2f} {wall:6.2f} {raw:6.2f} {scaled:6.2f}"
            f"   {est_b / 2**20:6.0f} {peak / 2**20:7.0f} {mem:5.2f}",
            flush=True,
        )
    for what, worst in (("seconds, scaled", worst_scaled), ("seconds, raw", worst_raw)):
        print(f"worst {what}: {worst:.2f}x ({'within' if worst <= 2 else 'beyond'} 2x)")
    print(f"worst peak memory: {worst_mem:.2f}x ({'within' if worst_mem <= 2 else 'beyond'} 2x)")


if __name__ == "__main__":
    main()
