"""In a real terminal the views behind the first mount after the first frame (start-up)."""

from __future__ import annotations

import subprocess
import sys

from linreg_tui.engine.config import FIELD_NAMES, RunConfig
from linreg_tui.ui.app import LinregApp
from linreg_tui.ui.views import VIEWS
from tests.ui.conftest import run_to_end, wait_for


async def test_lazy_views_all_mount_and_a_requested_one_shows_once_mounted() -> None:
    app = LinregApp(config=RunConfig(num_train=100, num_val=50), warm_torch=False, lazy_views=True)
    async with app.run_test(size=(80, 24)) as pilot:
        app.show_view(VIEWS[-1].VIEW_ID)  # asked for before it exists, or just after
        await wait_for(pilot, lambda: len(app.views) == len(VIEWS))
        assert set(app.form.controls) == set(FIELD_NAMES)  # the form's lower sections too
        await wait_for(pilot, lambda: app.switcher.current == VIEWS[-1].VIEW_ID)
        app.show_view(VIEWS[0].VIEW_ID)
        await pilot.pause()
        await run_to_end(pilot, app)
        assert app.status.text.startswith("done")


async def test_quitting_while_the_views_mount_is_clean() -> None:
    for wait in range(12):  # leave at every moment of the hidden views' mounting
        app = LinregApp(warm_torch=False, lazy_views=True)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause(wait * 0.01)
        assert app.return_code in (0, None)


def test_each_listed_view_names_its_class_and_says_what_the_class_says() -> None:
    """The selector shows the list's titles before the classes load: they must agree."""
    for entry in VIEWS:
        view = entry.load()
        assert (entry.VIEW_ID, entry.TITLE, entry.DESCRIPTION) == (
            view.VIEW_ID,
            view.TITLE,
            view.DESCRIPTION,
        )
    assert len({entry.VIEW_ID for entry in VIEWS}) == len(VIEWS)


def test_the_app_imports_only_the_first_views_module_before_its_first_frame() -> None:
    script = (
        "import sys\n"
        "import linreg_tui.ui.app\n"
        "print(' '.join(m for m in sys.modules if m.startswith('linreg_tui.ui.views.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    # the base class and the list of views; single_run loads in compose
    assert sorted(out.stdout.split()) == [
        "linreg_tui.ui.views.base",
        "linreg_tui.ui.views.registry",
    ]
