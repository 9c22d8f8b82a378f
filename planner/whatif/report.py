"""Charts and the HTML page shared by the comparison and sweep reports.

Their text and number formats come from :mod:`planner.i18n`.

Reports are self-contained HTML files: inline CSS, charts as inline SVG drawn by matplotlib
(text drawn as paths in DejaVu Sans, which has every Vietnamese diacritic), no scripts and
nothing fetched from the network.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from planner.i18n import check_lang, escape, label, nfc

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def svg_figure(fig: Figure) -> str:
    """A matplotlib figure as an inline ``<svg>`` element (deterministic, no metadata)."""
    buf = io.StringIO()
    import matplotlib

    rc: Any = {"svg.hashsalt": "planner", "svg.fonttype": "path"}
    with matplotlib.rc_context(rc):
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    svg = buf.getvalue()
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg


_CHART_RC: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.grid": True,
    "grid.alpha": 0.3,
}


@contextmanager
def chart_style() -> Iterator[None]:
    """Matplotlib settings for every chart: build charts inside ``with chart_style():``."""
    import matplotlib

    rc: Any = _CHART_RC
    with matplotlib.rc_context(rc):
        yield


_CSS = """
body { font-family: "DejaVu Sans", "Segoe UI", Arial, sans-serif; margin: 1.5rem auto;
       max-width: 72rem; color: #1d1d1d; line-height: 1.4; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; } h2 { font-size: 1.15rem; margin-top: 2rem;
     border-bottom: 2px solid #1f4e9c; padding-bottom: .2rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .9rem; }
th, td { border: 1px solid #c8c8c8; padding: .25rem .5rem; vertical-align: top; }
th { background: #eef2f8; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.pos { color: #1b6e20; } td.neg { color: #b3261e; }
tr.failed td { background: #fdecea; }
.note { color: #555; font-size: .85rem; max-width: 60rem; }
.meta { color: #444; margin: .2rem 0; }
.chart { margin: .5rem 0 1.5rem; } .chart svg { max-width: 100%; height: auto; }
.badge { display: inline-block; padding: 0 .4rem; border-radius: .3rem; background: #e6f4ea; }
.badge.no { background: #fdecea; }
"""


def html_page(title: str, body: Iterable[str], lang: str) -> str:
    """A complete self-contained HTML page (UTF-8, NFC)."""
    check_lang(lang)
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>{escape(title)}</h1>",
        *body,
        f'<p class="note">{escape(label("whatif.generated_by", lang))}</p>',
        "</body>",
        "</html>",
    ]
    return nfc("\n".join(parts)) + "\n"


def html_table(
    header: Sequence[str],
    rows: Iterable[Sequence[tuple[str, str]]],
    row_classes: Sequence[str] = (),
) -> str:
    """An HTML table. Each cell is ``(html_content, css_class)``; header cells are plain text."""
    out = ["<table>", "<thead><tr>"]
    out += [f"<th>{escape(h)}</th>" for h in header]
    out.append("</tr></thead><tbody>")
    for i, row in enumerate(rows):
        cls = f' class="{row_classes[i]}"' if i < len(row_classes) and row_classes[i] else ""
        out.append(f"<tr{cls}>")
        for content, css in row:
            out.append(f'<td class="{css}">{content}</td>' if css else f"<td>{content}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)
