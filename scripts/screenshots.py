"""Regenerate screenshots/*.svg (and *.png with rsvg-convert) from the real app, headless.

    python scripts/screenshots.py [--out screenshots] [--size 120x40 --size 80x24] [--only NAME]

The first size's shots go to `--out` (the README shows them); every other size's to a
folder of its own, e.g. screenshots/80x24/, the size the lab promises to fit.

Each shot drives LinregApp through `App.run_test` the way a user would (form values, then
the run action) and saves what the terminal would show. PNGs need `rsvg-convert` (Debian:
librsvg2-bin); cairosvg misaligns Textual's monospace layout.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Button, Input, Select

from linreg_tui.engine.config import RunConfig
from linreg_tui.ui.app import LinregApp
from linreg_tui.ui.widgets.explanation import Explanation, SuggestedSettings

Shot = Callable[[LinregApp, Pilot[None]], Awaitable[None]]


async def wait_for(pilot: Pilot[None], condition: Callable[[], bool], timeout: float = 60) -> None:
    """Poll with short pauses (pilot.press would wait for a busy thread to go idle)."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            raise TimeoutError("the app did not get there in time")
        await pilot.pause(0.02)


async def run(app: LinregApp, pilot: Pilot[None], **fields: str) -> None:
    """Fill some fields, start a run and wait for it to finish."""
    for name, value in fields.items():
        app.query_one(f"#{name}", Input).value = value
    await app.run_action("run")
    await wait_for(pilot, lambda: not app.running)


async def live(app: LinregApp, pilot: Pilot[None]) -> None:
    """A run caught mid-training: chart, parameters and progress moving."""
    await wait_for(pilot, lambda: app.torch_ready)
    await run(app, pilot, epochs="3")
    app.query_one("#lr", Input).value = "0.002"  # slow enough to show the descent
    app.query_one("#epochs", Input).value = "400"
    await app.run_action("focus_results")  # no text cursor in the shot
    await app.run_action("run")
    await wait_for(pilot, lambda: app.job is not None and app.job.epoch >= 150)
    await pilot.pause(0.05)


async def finished(app: LinregApp, pilot: Pilot[None]) -> None:
    """Three finished runs in the table (one diverged), the last one charted."""
    await run(app, pilot, epochs="3")
    await run(app, pilot, lr="3", batch_size="10")
    await run(app, pilot, lr="0.01", batch_size="32", epochs="40")
    await app.run_action("focus_results")
    await pilot.pause(0.2)


async def help_screen(app: LinregApp, pilot: Pilot[None]) -> None:
    """F1: every key."""
    await pilot.press("f1")
    await pilot.pause(0.2)


async def exercise(app: LinregApp, pilot: Pilot[None], view_id: str, suggested: bool) -> None:
    """An exercise view after one ctrl+r, its suggested settings first if asked."""
    app.show_view(view_id)
    await pilot.pause()
    if suggested:
        app.view.query_one(SuggestedSettings).query_one(Button).press()
        await pilot.pause()
    await app.run_action("run")
    await wait_for(pilot, lambda: not app.running)
    await app.run_action("focus_results")  # no text cursor in the shot
    await pilot.pause(0.2)


async def mean_vs_sum(app: LinregApp, pilot: Pilot[None]) -> None:
    """Ex. 1 at the book's settings: sum at lr blows up on some seeds, sum/B does not."""
    await exercise(app, pilot, "mean-vs-sum", suggested=False)


async def mean_vs_sum_why(app: LinregApp, pilot: Pilot[None]) -> None:
    """Ex. 1 with the explanation focused: it takes the chart's rows."""
    await exercise(app, pilot, "mean-vs-sum", suggested=False)
    app.view.query_one(Explanation).focus()
    await pilot.pause(0.2)


async def robust_loss(app: LinregApp, pilot: Pilot[None]) -> None:
    """Ex. 2 with its suggested settings: 10% outliers of scale 100."""
    await exercise(app, pilot, "robust-loss", suggested=True)


async def gradients(app: LinregApp, pilot: Pilot[None]) -> None:
    """Ex. 3 over 20 epochs: the gradient norm falls, then levels off above 0."""
    await exercise(app, pilot, "gradients", suggested=True)


async def config_load_error(app: LinregApp, pilot: Pilot[None]) -> None:
    """ctrl+o on a file with a misspelt key: the dialog names file and key, stays open."""
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "lab.toml").write_text("lr = 0.1\nlearning_rate = 0.2\n")
        cwd = os.getcwd()
        os.chdir(folder)  # a short relative path on screen
        try:
            await pilot.press("ctrl+o")
            app.screen.query_one(Input).value = "lab.toml"
            await pilot.press("enter")
            await pilot.pause(0.2)
        finally:
            os.chdir(cwd)


async def sweep(app: LinregApp, pilot: Pilot[None], view_id: str) -> None:
    """A sweep view after one ctrl+r with its default lists, the results focused."""
    app.show_view(view_id)
    await pilot.pause()
    await app.run_action("run")
    await wait_for(pilot, lambda: not app.running)
    await app.run_action("focus_results")  # no text cursor in the shot
    await pilot.pause(0.2)


async def lr_grid(app: LinregApp, pilot: Pilot[None]) -> None:
    """Ex. 4: the lr x epochs heatmap around the edges (lr 0.34 to 1.4, each with its
    predicted verdict), the cursor on lr 0.7 at 10 epochs, its curve below."""
    from linreg_tui.lab.predict import FINE_LRS
    from linreg_tui.ui.widgets.sweep_tables import GridTable

    await sweep(app, pilot, "lr-grid")
    table = app.view.query_one(GridTable)
    table.move_cursor(row=FINE_LRS.index(0.7), column=3)
    table.scroll_to(y=2 * FINE_LRS.index(0.34), animate=False)
    await pilot.pause(0.2)


async def sizes(app: LinregApp, pilot: Pilot[None]) -> None:
    """Ex. 5 at the book's settings: the regimes in the table, SGD and the floor charted."""
    await sweep(app, pilot, "sizes")
    body = app.view.query_one("#sizes-body")
    body.scroll_to_widget(app.view.query_one("#sizes-table"), animate=False, top=True)
    await pilot.pause(0.2)


async def sizes_why(app: LinregApp, pilot: Pilot[None]) -> None:
    """Ex. 5 with iterates averaged: the claims as measured, then the explanation."""
    from textual.widgets import Checkbox

    app.show_view("sizes")
    app.query_one("#sizes-average", Checkbox).value = True
    await sweep(app, pilot, "sizes")
    body = app.view.query_one("#sizes-body")
    body.scroll_to_widget(app.view.query_one("#sizes-explanation"), animate=False, top=True)
    await pilot.pause(0.2)


async def predicted(app: LinregApp, pilot: Pilot[None]) -> None:
    """Issue 13: the stability meter under lr, and ex. 5's predicted error (dashed) beside
    the measured means, the regimes named by the prediction's largest term."""
    await sweep(app, pilot, "sizes")
    body = app.view.query_one("#sizes-body")
    body.scroll_to_widget(app.view.query_one("#sizes-chart"), animate=False, top=True)
    app.open_form()  # narrow: the form steps aside for a run; the meter is in it
    await pilot.pause(0.2)


async def meter_settled(app: LinregApp, pilot: Pilot[None]) -> None:
    """Wait until the stability meter shows the theories of the form's settings."""
    from linreg_tui.lab.predict import edge_key
    from linreg_tui.ui.widgets.stability_meter import StabilityMeter

    meter = app.query_one(StabilityMeter)
    await wait_for(
        pilot,
        lambda: (
            meter.config is None or (bool(meter.theories) and meter.key == edge_key(meter.config))
        ),
    )
    await pilot.pause(0.05)


async def history(app: LinregApp, pilot: Pilot[None]) -> None:
    """The History view: three past runs, two of them overlaid and their differences."""
    from linreg_tui.ui.widgets.curves_chart import CurvesChart
    from linreg_tui.ui.widgets.history_table import HistoryTable

    await run(app, pilot, lr="0.01", epochs="10")
    await run(app, pilot, lr="0.03", batch_size="8")
    app.query_one("#loss", Select).value = "huber"
    await run(app, pilot, batch_size="32")
    app.show_view("history")
    table = app.query_one(HistoryTable)
    await wait_for(pilot, lambda: table.row_count == 3)
    await app.run_action("focus_results")
    await pilot.pause()  # focus moves after a refresh: the keys must reach the table
    await pilot.press("down", "space", "down", "space")
    chart = app.query_one("#history-chart", CurvesChart)
    await wait_for(pilot, lambda: len(chart.curves) == 2)
    await pilot.pause(0.2)


SHOTS: dict[str, Shot] = {"run-live": live, "run-finished": finished, "help": help_screen}
SHOTS.update(  # the exercise views of issue 4 (ex. 1-3) and config save/load
    {
        "mean-vs-sum": mean_vs_sum,
        "mean-vs-sum-why": mean_vs_sum_why,
        "robust-loss": robust_loss,
        "gradients": gradients,
        "config-load-error": config_load_error,
    }
)
SHOTS.update({"lr-grid": lr_grid, "sizes": sizes, "sizes-why": sizes_why})
SHOTS["history"] = history  # issue 7
SHOTS["predicted"] = predicted  # issue 13


async def sgd_path(app: LinregApp, pilot: Pilot[None], suggestion: int) -> None:
    """The SGD path view after one of its suggested settings and ctrl+r, the plane focused."""
    app.show_view("sgd-path")
    await pilot.pause()
    app.view.query_one(f"#suggest-{suggestion}", Button).press()
    await pilot.pause()
    await app.run_action("run")
    await wait_for(pilot, lambda: not app.running)
    await app.run_action("focus_results")  # the plane: its keys in the footer
    await pilot.pause(0.5)


async def sgd_path_zigzag(app: LinregApp, pilot: Pilot[None]) -> None:
    """κ ≈ 20 (correlated features): SGD zig-zags across the ravine, GD beside it."""
    await sgd_path(app, pilot, 1)


async def sgd_path_spiral(app: LinregApp, pilot: Pilot[None]) -> None:
    """lr just past η_GD: every step overshoots the fit further, spiralling out."""
    await sgd_path(app, pilot, 2)


SHOTS.update({"sgd-path-zigzag": sgd_path_zigzag, "sgd-path-spiral": sgd_path_spiral})


async def take(name: str, shot: Shot, out: Path, size: tuple[int, int]) -> Path:
    """Run one scenario in a fresh app and save its SVG."""
    with tempfile.TemporaryDirectory() as folder:  # the shots' runs stay out of the history
        app = LinregApp(config=RunConfig(), db=Path(folder) / "history.sqlite3")
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await shot(app, pilot)
            await meter_settled(app, pilot)
            path = Path(app.save_screenshot(filename=f"{name}.svg", path=str(out)))
            await app.run_action("cancel")
    return path


SPAN = re.compile(
    r'<text class="([^"]*)" x="([\d.]+)" y="([\d.]+)" textLength="([\d.]+)"'
    r' clip-path="([^"]*)">([^<]*)</text>'
)


RUN = re.compile(r"[\u2800-\u28ff]|[^\s\u2800-\u28ff]+")
"""A braille glyph alone, or a run of other visible characters."""


def pin_glyphs(svg: str) -> str:
    """Put braille glyphs and runs after spaces at their own terminal cells.

    rsvg-convert ignores `textLength`, and DejaVu Sans Mono (the monospace font here) has
    no braille, so plotext's braille curves came out in a wider fallback font and ran past
    their axes, and leading no-break spaces collapsed (right-aligned numbers drifted left).
    Only the PNG copy is changed; the SVG stays as Textual wrote it.
    """

    def pin(match: re.Match[str]) -> str:
        cls, x, y, length, clip, body = match.groups()
        text = html.unescape(body)
        cell = float(length) / max(len(text), 1)
        return "".join(
            f'<text class="{cls}" x="{float(x) + run.start() * cell:.1f}" y="{y}" '
            f'textLength="{len(run.group()) * cell:.1f}" clip-path="{clip}">'
            f"{html.escape(run.group())}</text>"
            for run in RUN.finditer(text)
        )

    return SPAN.sub(pin, svg)


def to_png(svg: Path) -> Path | None:
    """Convert with rsvg-convert if installed (glyphs pinned to cells first)."""
    if shutil.which("rsvg-convert") is None:
        return None
    png = svg.with_suffix(".png")
    with tempfile.NamedTemporaryFile("w", suffix=".svg", encoding="utf-8") as pinned:
        pinned.write(pin_glyphs(svg.read_text(encoding="utf-8")))
        pinned.flush()
        subprocess.run(["rsvg-convert", "-o", str(png), pinned.name], check=True)
    return png


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parents[1] / "screenshots")
    parser.add_argument(
        "--size",
        action="append",
        help="COLUMNSxROWS, repeatable (default: 120x40 into --out, 80x24 into --out/80x24)",
    )
    parser.add_argument("--only", choices=sorted(SHOTS), action="append")
    args = parser.parse_args(argv)
    for k, size in enumerate(args.size or ["120x40", "80x24"]):
        width, height = (int(n) for n in size.lower().split("x"))
        out = args.out if k == 0 else args.out / f"{width}x{height}"
        out.mkdir(parents=True, exist_ok=True)
        for name in args.only or SHOTS:
            svg = asyncio.run(take(name, SHOTS[name], out, (width, height)))
            png = to_png(svg)
            print(svg, png or "(no rsvg-convert: PNG skipped)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
