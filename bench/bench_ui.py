"""UI benchmarks (issues 5 and 15): ratios measured side by side, in one run.

    python bench/bench_ui.py            # about three minutes
    python bench/bench_ui.py --only 1,3 # some parts

[1] start-up in a real pseudo-terminal (100x30): launch to the first painted frame against
    an empty Textual app (a Static and a Footer: bench/empty_app.py) by the same measure;
    `linreg-tui run` (defaults) to its end against `python -c "import torch"`, wall and
    CPU time. Each pair alternates, so the load of a shared machine hits both.
[2] a 100-epoch run started three seconds after launch against the same run again (warm).
[3] each view's default job in the app against one default single run (F4 to the next
    view, ctrl+r, until the status line says done).
[4] epochs per second of a long run drawn live in that terminal vs the engine alone (in
    a real terminal the app trains in a child process: linreg_tui/lab/process.py).
[5] the worst event-loop lag while a long run trains (headless app, 5 ms probe), with the
    training in the child process (as in a terminal) and in a thread (as in tests).
[6] one chart redraw at 200x60 holding 100,000 points.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Literal

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine
from terminal import Terminal

from linreg_tui.engine.config import RunConfig

CTRL_R = b"\x12"
F4 = b"\x1bOS"
BENCH = Path(__file__).resolve().parent
FIRST_FRAME = "╭".encode()
"""A rounded corner: in the first frame of the app (its panels) and of the empty app (its
Static's border). A footer's keys come a frame later."""
LONG_EPOCHS = 1000


def timed_run(term: Terminal) -> float:
    """Press ctrl+r, see the run going, then wait for the status line to say it is done."""
    since = term.send(CTRL_R)
    start = time.perf_counter()
    term.wait_for(rb"(?<!done \xc2\xb7 )epoch \d+ of \d+ \xc2\xb7", since)
    return term.wait_for(rb"done \xc2\xb7 epoch", len(term.buffer)) - start


def child_cpu() -> float:
    """CPU seconds (user + system) of this process's waited-for children so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_process(argv: list[str], cwd: str | None = None) -> tuple[float, float]:
    """Wall and CPU seconds of a command run to its end (output discarded)."""
    env = {**os.environ, "LINREG_TUI_DB": "/tmp/linreg-bench-history.sqlite3"}
    cpu, start = child_cpu(), time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=env, cwd=cwd)
    return time.perf_counter() - start, child_cpu() - cpu


def first_frame(argv: list[str], cwd: str | None = None) -> float:
    """Seconds from launch until the first frame (its footer) is painted in a 100x30
    pseudo-terminal."""
    with Terminal(argv, cwd=cwd) as term:
        return term.wait_for(FIRST_FRAME) - term.start


SOURCES: dict[str, str] = {"": str(BENCH.parent)}
"""Source trees whose `python -m linreg_tui` is measured (run from there: `-m` puts the
working directory first on sys.path): this one, and with --before DIR another version,
labelled "before", measured in the same run."""


def ratio_line(tag: str, what: str, mine: list[float], base: list[float], target: str) -> str:
    a, b = statistics.median(mine), statistics.median(base)
    return (
        f"[{tag}] {what}: {a:.3f} s vs {b:.3f} s (median of {len(mine)}, interleaved, "
        f"range {min(mine):.3f}-{max(mine):.3f} vs {min(base):.3f}-{max(base):.3f}); "
        f"ratio {a / b:.2f} (target {target})"
    )


def startup(repeat: int = 5) -> None:
    """The first frame against an empty Textual app, and `linreg-tui run` against
    `import torch`, taken in alternation so that load drifts hit every contender."""
    app: dict[str, list[float]] = {label: [] for label in SOURCES}
    empty: list[float] = []
    for _ in range(repeat):
        for label, tree in SOURCES.items():
            app[label].append(first_frame([sys.executable, "-m", "linreg_tui"], tree))
        empty.append(first_frame([sys.executable, str(BENCH / "empty_app.py")]))
    for label, frames in app.items():
        what = f"first frame{' ' + label if label else ''} / an empty Textual app"
        print(ratio_line("1", what, frames, empty, "<= 1.4"))
    cli: dict[str, list[tuple[float, float]]] = {label: [] for label in SOURCES}
    torch_import = []
    for _ in range(repeat):
        for label, tree in SOURCES.items():
            cli[label].append(timed_process([sys.executable, "-m", "linreg_tui", "run"], tree))
        torch_import.append(timed_process([sys.executable, "-c", "import torch"]))
    for label, times in cli.items():
        name = f"`linreg-tui run`{' ' + label if label else ''} / `import torch`"
        for kind, k in (("wall", 0), ("CPU", 1)):
            mine, base = [t[k] for t in times], [t[k] for t in torch_import]
            print(ratio_line("1", f"{name}, {kind}", mine, base, "<= 1.15"))


def cold_start(repeat: int = 3) -> None:
    """A run started three seconds after launch against the same run started again."""
    cold, warm = [], []
    for _ in range(repeat):
        with Terminal([sys.executable, "-m", "linreg_tui", "tui", "--epochs", "100"]) as term:
            term.wait_for(FIRST_FRAME)
            term.drain(3.0 - (time.perf_counter() - term.start))
            cold.append(timed_run(term))
            warm.append(timed_run(term))
    print(
        ratio_line("2", "100-epoch run started 3 s after launch / warm", cold, warm, "<= 1.1")
        + " (both include up to one 0.1 s status update)"
    )


def registry() -> list[tuple[str, str]]:
    """(id, title) of the app's views in F4 order (ui/views/registry.py: the tree measured
    and a --before tree must list the same views)."""
    from linreg_tui.ui.views.registry import VIEWS

    return [(view.VIEW_ID, view.TITLE) for view in VIEWS]


def next_view(term: Terminal) -> None:
    """F4, and the next view drawn (the output quiet for half a second)."""
    term.send(F4)
    term.settle(quiet=0.5)


def job_time(term: Terminal) -> float:
    """ctrl+r, then the time until the status line says the job is done."""
    since = term.send(CTRL_R)
    start = time.perf_counter()
    return term.wait_for(rb"done \xc2\xb7 ", since) - start


def views(repeat: int = 5) -> None:
    """Each view's default job in the app (a real terminal: the training process) against
    one default single run; best of `repeat`, the views taken in turn each round."""
    for label, tree in SOURCES.items():
        with Terminal([sys.executable, "-m", "linreg_tui"], cwd=tree) as term:
            term.wait_for(FIRST_FRAME)
            term.settle()
            job_time(term)  # one run untimed: torch loaded, the training process warm
            views = registry()
            times: dict[str, list[float]] = {view: [] for view, _ in views}
            for _ in range(repeat):
                for view, _ in views:
                    if view != "history":  # it trains nothing
                        term.settle()  # its status line may say "done" from the last round
                        times[view].append(job_time(term))
                    next_view(term)
        one = min(times["single-run"])
        for view, title in registry():
            if view in ("single-run", "history"):
                continue
            best = min(times[view])
            print(
                f"[3] {title}{' ' + label if label else ''}, default job: "
                f"{best * 1e3:.0f} ms vs one default run {one * 1e3:.0f} ms (best of "
                f"{repeat}); ratio {best / one:.2f} (target <= 3)"
            )


def live() -> None:
    from linreg_tui.engine.training import setup_torch, train

    setup_torch()
    cfg = RunConfig(epochs=LONG_EPOCHS)
    list(train(replace(cfg, epochs=3)))
    engine, live = [], []
    argv = [sys.executable, "-m", "linreg_tui", "tui", "--epochs", str(LONG_EPOCHS)]
    with Terminal(argv) as term:
        term.wait_for(FIRST_FRAME)
        term.drain(3.0)
        timed_run(term)  # untimed: torch loaded in the training process
        for _ in range(3):  # alternating, so that load drifts hit both
            start = time.perf_counter()
            for _ in train(cfg):
                pass
            engine.append(time.perf_counter() - start)
            term.settle()
            live.append(timed_run(term))
    e_rate, l_rate = LONG_EPOCHS / min(engine), LONG_EPOCHS / min(live)
    print(
        f"[4] {LONG_EPOCHS}-epoch run: engine alone {e_rate:.0f} epochs/s, drawn live in a "
        f"100x30 terminal {l_rate:.0f} epochs/s; ratio {l_rate / e_rate:.2f} (target >= 0.9)"
    )


async def stall(trainer: Literal["process", "thread"]) -> None:
    from linreg_tui.ui.app import LinregApp

    app = LinregApp(config=RunConfig(epochs=LONG_EPOCHS), trainer=trainer)
    async with app.run_test(size=(100, 30)) as pilot:
        while not app.torch_ready:
            await pilot.pause(0.05)
        await app.run_action("run")
        lags = []
        while app.running:
            start = time.perf_counter()
            await asyncio.sleep(0.005)
            lags.append(time.perf_counter() - start - 0.005)
    lags.sort()
    print(
        f"[5] event-loop lag during a {LONG_EPOCHS}-epoch run trained in a {trainer} "
        "(headless app, 5 ms probe, "
        f"{len(lags)} samples): median {statistics.median(lags) * 1e3:.1f} ms, "
        f"p99 {lags[int(len(lags) * 0.99)] * 1e3:.1f} ms, worst {lags[-1] * 1e3:.1f} ms "
        "(target <= 50)"
    )


async def chart() -> None:
    from linreg_tui.engine.records import EpochRecord
    from linreg_tui.ui.app import LinregApp
    from linreg_tui.ui.widgets.loss_chart import LossChart

    app = LinregApp(warm_torch=False)
    async with app.run_test(size=(200, 60)) as pilot:
        chart = app.query_one(LossChart)
        n = 100_000
        records = [
            EpochRecord(
                epoch=i,
                steps=i,
                train_loss=1.0 / (i + 1),
                train_mse=1.0 / (i + 1),
                val_mse=1.1 / (i + 1),
                w_hat=(0.0,),
                b_hat=0.0,
                w_error=(0.0,),
                b_error=0.0,
                weight_grad=None,
                bias_grad=None,
                diverged=False,
                elapsed=0.0,
            )
            for i in range(n)
        ]
        chart.start(n)
        chart.add(records)
        await pilot.pause()
        times, cpu = [], []
        for log_y in (True, False) * 5:
            chart.log_y = log_y
            start, start_cpu = time.perf_counter(), time.thread_time()
            chart.render()
            times.append(time.perf_counter() - start)
            cpu.append(time.thread_time() - start_cpu)
        size = chart.size
    print(
        f"[6] chart redraw with {n:,} points at 200x60 (chart {size.width}x{size.height}): "
        f"median {statistics.median(times) * 1e3:.1f} ms, worst {max(times) * 1e3:.1f} ms; "
        f"CPU median {statistics.median(cpu) * 1e3:.1f} ms (target <= 20)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="1,2,3,4,5,6", help="which parts, e.g. 3,4")
    parser.add_argument(
        "--before",
        metavar="DIR",
        help="also measure parts 1 and 3 for the source tree in DIR (e.g. `git archive "
        "COMMIT | tar -x -C DIR`), in the same run",
    )
    args = parser.parse_args()
    wanted = set(args.only.split(","))
    if args.before:
        SOURCES["before"] = str(Path(args.before).resolve())
    print(machine(), f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    parts = {
        "1": startup,
        "2": cold_start,
        "3": views,
        "4": live,
        "5": lambda: [asyncio.run(stall(trainer)) for trainer in ("process", "thread")],
        "6": lambda: asyncio.run(chart()),
    }
    for key, part in parts.items():
        if key in wanted:
            part()


if __name__ == "__main__":
    main()
