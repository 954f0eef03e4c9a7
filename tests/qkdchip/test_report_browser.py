"""report.html in headless Chromium: images load, nothing errs, the layout fits phone and desktop.

Screenshots go to the test's temporary folder and, when ``QKDCHIP_TEST_ARTEFACTS`` names a
folder, are copied there too.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from qkdchip import cache
from qkdchip.flow import run_flow
from qkdchip.flow_context import FlowContext
from qkdchip.report import write_report
from tests.qkdchip.flow_cases import small_scenario, small_stages

if TYPE_CHECKING:
    from playwright.sync_api import Browser

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="needs playwright (make setup installs the dev extras)"
)
CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="needs Debian's chromium on PATH (make setup installs it)"
)

ARTEFACTS_ENV = "QKDCHIP_TEST_ARTEFACTS"
VIEWPORTS = {"phone": (390, 844), "desktop": (1440, 900)}
TIMEOUT_MS = 15_000

LAYOUT_JS = """() => {
  const boxes = (el) => { const r = el.getBoundingClientRect(); return [r.left, r.right]; };
  return {
    innerWidth: window.innerWidth,
    scrollWidth: document.documentElement.scrollWidth,
    images: Array.from(document.images).map((img) => ({
      alt: img.alt,
      complete: img.complete,
      naturalWidth: img.naturalWidth,
      box: boxes(img),
    })),
    tables: Array.from(document.querySelectorAll("table")).map((t) => ({
      head: t.rows[0] ? t.rows[0].innerText.slice(0, 60) : "",
      width: t.getBoundingClientRect().width,
      box: boxes(t.parentElement),
      boxWidth: t.parentElement.clientWidth,
      boxOverflowX: getComputedStyle(t.parentElement).overflowX,
    })),
  };
}"""


@pytest.fixture(scope="module")
def report_html(tmp_path_factory: pytest.TempPathFactory, _session_device_cache: Path) -> Path:
    """report.html of the small scenario through devices, synthetic comb and yield (the network
    stage would triple the time; its tables go through the same HTML as these)."""
    out = tmp_path_factory.mktemp("report_browser")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(cache.CACHE_ENV, str(_session_device_cache))
        ctx = FlowContext(scenario=small_scenario(), out_dir=out / "out", gds_dir=out / "gds")
        stages = tuple(s for s in small_stages() if s.name != "network")
        outcomes = run_flow(ctx, stages=stages)
        assert {o.name: o.status for o in outcomes} == {s.name: "done" for s in stages}
        return write_report(ctx, outcomes)["report.html"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless system Chromium (no sandbox: it may run as root in containers)."""
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        try:
            yield launched
        finally:
            launched.close()


def _keep_artefact(shot: Path) -> None:
    folder = os.environ.get(ARTEFACTS_ENV)
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copy2(shot, Path(folder) / shot.name)


def _render(
    browser: Browser, page_path: Path, *, name: str, shot_dir: Path
) -> tuple[dict[str, Any], list[str]]:
    """Open ``page_path`` at the named viewport; returns the layout facts and every problem
    the browser reported (console errors, page errors, failed requests)."""
    width, height = VIEWPORTS[name]
    phone = name == "phone"
    context = browser.new_context(
        viewport={"width": width, "height": height},
        is_mobile=phone,
        has_touch=phone,
        device_scale_factor=2 if phone else 1,
    )
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        problems: list[str] = []
        page.on(
            "console",
            lambda msg: problems.append(f"console {msg.type}: {msg.text}")
            if msg.type == "error"
            else None,
        )
        page.on("pageerror", lambda err: problems.append(f"page error: {err}"))
        page.on(
            "requestfailed",
            lambda req: problems.append(f"request failed: {req.url[:80]} {req.failure}"),
        )
        page.on(
            "response",
            lambda resp: problems.append(f"HTTP {resp.status}: {resp.url[:80]}")
            if resp.status >= 400
            else None,
        )
        page.goto(page_path.as_uri(), wait_until="load")
        layout = page.evaluate(LAYOUT_JS)
        shot = shot_dir / f"report-{name}-{width}x{height}.png"
        page.screenshot(path=str(shot), full_page=True)
        _keep_artefact(shot)
        return layout, problems
    finally:
        context.close()


@pytest.mark.parametrize("name", list(VIEWPORTS))
def test_report_renders_cleanly_and_fits_the_viewport(
    browser: Browser, report_html: Path, tmp_path: Path, name: str
) -> None:
    layout, problems = _render(browser, report_html, name=name, shot_dir=tmp_path)
    width = VIEWPORTS[name][0]
    assert problems == []
    assert (tmp_path / f"report-{name}-{width}x{VIEWPORTS[name][1]}.png").stat().st_size > 0
    # the page lays out at the device width (a phone does not zoom out a desktop layout)
    assert layout["innerWidth"] == width
    assert layout["scrollWidth"] <= layout["innerWidth"] + 1, "the page scrolls sideways"
    images = layout["images"]
    assert len(images) >= 2
    for img in images:
        assert img["complete"], img["alt"]
        assert img["naturalWidth"] > 0, f"image not loaded: {img['alt']}"
        left, right = img["box"]
        assert left >= -1, img["alt"]
        assert right <= layout["innerWidth"] + 1, f"image wider than the viewport: {img['alt']}"
    assert layout["tables"]
    for table in layout["tables"]:
        left, right = table["box"]
        assert left >= -1, table["head"]
        assert right <= layout["innerWidth"] + 1, f"table box too wide: {table['head']}"
        fits = table["width"] <= table["boxWidth"] + 1
        assert fits or table["boxOverflowX"] in ("auto", "scroll"), table["head"]
