"""Measure an HTML page's layout in a real headless Chromium, for the tests of every HTML output.

How the layout is measured, without a script in the product page: the test writes a *wrapper* page that
holds the report, unchanged, in an ``<iframe srcdoc>`` of the given width, plus a small script of its own.
A ``srcdoc`` frame shares the wrapper's origin, so the wrapper's script can read the frame's laid-out DOM
once everything has loaded, and writes what it measured into the wrapper's DOM; ``chromium --headless
--dump-dom`` prints that DOM. The frame, not the browser window, sets the width, because headless Chromium
will not make a window narrower than 500 px; media queries and ``100%`` widths inside the frame see the
frame's width, as on a phone. The report itself is checked to contain no script at all.

What fails the test:

* horizontal overflow: the frame's document is wider than its viewport (``scrollWidth > clientWidth``),
  or an element sticks out past the right edge without being inside a box that scrolls it (``overflow-x``
  other than ``visible``, which is how the page makes its wide tables scroll by themselves);
* names wrapped one character per line: a table cell with four or more characters narrower than three
  times its font size;
* the chart not fully visible: the SVG's box ends past the viewport.

Callers skip when CHROMIUM is None; it runs as root (``--no-sandbox``).
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
SAMPLE = Path(__file__).resolve().parents[1] / "evidence" / "sample"
WIDTHS = (1280, 390)

MEASURE = """
window.addEventListener('load', function () {
  var frame = document.getElementById('page'), win = frame.contentWindow, doc = frame.contentDocument;
  var root = doc.documentElement, width = root.clientWidth;
  var out = {viewport: width, scroll_width: root.scrollWidth, scripts: doc.scripts.length,
             narrow: [], outside: [], svg: []};
  doc.querySelectorAll('td, th').forEach(function (cell) {
    var text = cell.textContent.trim(), size = parseFloat(win.getComputedStyle(cell).fontSize);
    if (text.length >= 4 && cell.getBoundingClientRect().width < 3 * size) out.narrow.push(text.slice(0, 40));
  });
  doc.querySelectorAll('body *').forEach(function (el) {
    var box = el.getBoundingClientRect();
    if (box.right <= width + 0.5) return;
    for (var up = el.parentElement; up && up !== doc.body; up = up.parentElement)
      if (win.getComputedStyle(up).overflowX !== 'visible') return;
    out.outside.push(el.tagName + ' ' + (el.getAttribute('class') || '') + ' right=' + Math.round(box.right));
  });
  doc.querySelectorAll('svg').forEach(function (svg) {
    var box = svg.getBoundingClientRect(); out.svg.push([box.left, box.right]);
  });
  var result = document.createElement('pre');
  result.id = 'measure';
  result.textContent = JSON.stringify(out);
  document.body.appendChild(result);
});
"""


def measure(page: str, width: int, tmp: Path) -> dict:  # type: ignore[type-arg]
    assert CHROMIUM is not None
    wrapper = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body style="margin:0">'
        f'<iframe id="page" style="border:0;width:{width}px;height:1600px" '
        f'srcdoc="{html.escape(page, quote=True)}"></iframe><script>{MEASURE}</script></body></html>'
    )
    path = tmp / f"wrapper-{width}.html"
    path.write_text(wrapper, encoding="utf-8")
    done = subprocess.run(
        [
            CHROMIUM,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            f"--user-data-dir={tmp / 'profile'}",
            "--window-size=1400,1700",
            "--virtual-time-budget=10000",
            "--dump-dom",
            path.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    found = re.search(r'<pre id="measure">(.*?)</pre>', done.stdout, re.S)
    assert found, f"Chromium gave no measurement (exit {done.returncode}): {done.stderr[-2000:]}"
    return json.loads(html.unescape(found.group(1)))  # type: ignore[no-any-return]


def assert_fits(page: str, tmp: Path) -> None:
    assert "<script" not in page.lower()
    for width in WIDTHS:
        m = measure(page, width, tmp)
        where = f"at {width} px"
        assert m["scripts"] == 0
        assert m["viewport"] <= width
        assert m["scroll_width"] <= m["viewport"], f"page wider than the screen {where}: {m}"
        assert m["outside"] == [], f"elements past the right edge {where}: {m['outside'][:10]}"
        assert m["narrow"] == [], f"cells wrapped one character per line {where}: {m['narrow'][:10]}"
        assert m["svg"], where
        for left, right in m["svg"]:
            assert left >= 0 and right <= m["viewport"] + 0.5, f"chart clipped {where}: {m['svg']}"
