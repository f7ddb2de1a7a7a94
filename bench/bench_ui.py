"""UI benchmarks (issue 5, targets 1, 4, 5 and 6): ratios measured side by side.

    python bench/bench_ui.py            # about a minute

[1] start-up: the app runs in a real pseudo-terminal; the time from launch to the first
    painted frame is compared with `python -c "import torch"`, and a run started three
    seconds after launch with the same run started again (warm).
[4] epochs per second of a long run drawn live in that terminal vs the engine alone (in
    a real terminal the app trains in a child process: linreg_tui/ui/trainer.py).
[5] the worst event-loop lag while a long run trains (headless app, 5 ms probe), with the
    training in the child process (as in a terminal) and in a thread (as in tests).
[6] one chart redraw at 200x60 holding 100,000 points.
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import os
import re
import select
import statistics
import struct
import subprocess
import sys
import termios
import time
from dataclasses import replace
from pathlib import Path
from typing import Literal

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine

from linreg_tui.engine.config import RunConfig

CTRL_R = b"\x12"
CTRL_Q = b"\x11"
LONG_EPOCHS = 1000


class Terminal:
    """A child process on a pseudo-terminal of a given size, with its output collected."""

    def __init__(self, argv: list[str], cols: int = 100, rows: int = 30) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(cols), "LINES": str(rows)}
        env["LINREG_TUI_DB"] = "/tmp/linreg-bench-history.sqlite3"
        self.start = time.perf_counter()
        self.proc = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True
        )
        os.close(slave)
        self.buffer = b""

    def wait_for(self, pattern: bytes, since: int = 0, timeout: float = 60.0) -> float:
        """Read until `pattern` appears after offset `since`; return the time it appeared."""
        deadline = time.perf_counter() + timeout
        regex = re.compile(pattern)
        while not regex.search(self.buffer, since):
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"{pattern!r} not seen in {timeout} s")
            ready, _, _ = select.select([self.master], [], [], min(left, 0.05))
            if ready:
                try:
                    self.buffer += os.read(self.master, 65536)
                except OSError:
                    break
        return time.perf_counter()

    def drain(self, seconds: float) -> None:
        """Keep reading (so the app never blocks on a full pipe) for `seconds`."""
        end = time.perf_counter() + seconds
        while (left := end - time.perf_counter()) > 0:
            ready, _, _ = select.select([self.master], [], [], left)
            if ready:
                self.buffer += os.read(self.master, 65536)

    def send(self, data: bytes) -> int:
        """Send keys; return the output offset at that moment."""
        os.write(self.master, data)
        return len(self.buffer)

    def close(self) -> None:
        self.send(CTRL_Q)
        try:
            self.drain(0.5)
            self.proc.wait(timeout=5)
        except (subprocess.TimeoutExpired, OSError):
            self.proc.kill()
        os.close(self.master)


def timed_run(term: Terminal) -> float:
    """Press ctrl+r, see the run going, then wait for the status line to say it is done."""
    since = term.send(CTRL_R)
    start = time.perf_counter()
    term.wait_for(rb"(?<!done \xc2\xb7 )epoch \d+ of \d+ \xc2\xb7", since)
    return term.wait_for(rb"done \xc2\xb7 epoch", len(term.buffer)) - start


def startup() -> None:
    times = []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import torch"], check=True)
        times.append(time.perf_counter() - start)
    torch_import = statistics.median(times)

    firsts, cold, warm = [], [], []
    for _ in range(3):  # plain `linreg-tui`, as a user starts it
        term = Terminal([sys.executable, "-m", "linreg_tui"])
        firsts.append(term.wait_for(rb"configuration") - term.start)
        term.close()
    for _ in range(3):
        term = Terminal([sys.executable, "-m", "linreg_tui", "tui", "--epochs", "100"])
        term.wait_for(rb"configuration")
        term.drain(3.0 - (time.perf_counter() - term.start))
        cold.append(timed_run(term))
        warm.append(timed_run(term))
        term.close()
    first = statistics.median(firsts)
    print(
        f"[1] first frame {first:.2f} s after launch; `python -c 'import torch'` "
        f"{torch_import:.2f} s; ratio {first / torch_import:.2f} (target <= 0.25)"
    )
    print(
        f"[1] 100-epoch run started 3 s after launch: {statistics.median(cold) * 1e3:.0f} ms; "
        f"the same run again (warm): {statistics.median(warm) * 1e3:.0f} ms; "
        f"ratio {statistics.median(cold) / statistics.median(warm):.2f} (target ~1; both "
        "include up to one 0.1 s status update)"
    )


def live() -> None:
    from linreg_tui.engine.training import setup_torch, train

    setup_torch()
    cfg = RunConfig(epochs=LONG_EPOCHS)
    list(train(replace(cfg, epochs=3)))
    engine = []
    for _ in range(3):
        start = time.perf_counter()
        for _ in train(cfg):
            pass
        engine.append(time.perf_counter() - start)
    term = Terminal([sys.executable, "-m", "linreg_tui", "tui", "--epochs", str(LONG_EPOCHS)])
    term.wait_for(rb"configuration")
    term.drain(3.0)
    live = [timed_run(term) for _ in range(3)]
    term.close()
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
        times = []
        for log_y in (True, False) * 5:
            chart.log_y = log_y
            start = time.perf_counter()
            chart.render()
            times.append(time.perf_counter() - start)
        size = chart.size
    print(
        f"[6] chart redraw with {n:,} points at 200x60 (chart {size.width}x{size.height}): "
        f"median {statistics.median(times) * 1e3:.1f} ms, worst {max(times) * 1e3:.1f} ms "
        "(target <= 20)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="1,4,5,6", help="which targets, e.g. 4,5")
    wanted = set(parser.parse_args().only.split(","))
    print(machine())
    parts = {
        "1": startup,
        "4": live,
        "5": lambda: [asyncio.run(stall(trainer)) for trainer in ("process", "thread")],
        "6": lambda: asyncio.run(chart()),
    }
    for key, part in parts.items():
        if key in wanted:
            part()


if __name__ == "__main__":
    main()
