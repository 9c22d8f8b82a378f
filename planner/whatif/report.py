"""Text, number formats, charts and the HTML page shared by the comparison and sweep reports.

Reports are self-contained HTML files: inline CSS, charts as inline SVG drawn by matplotlib
(text drawn as paths in DejaVu Sans, which has every Vietnamese diacritic), no scripts and
nothing fetched from the network.
"""

from __future__ import annotations

import html
import io
import math
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from planner.i18n import check_lang

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_TEXT: dict[str, tuple[str, str]] = {
    # key: (vi, en)
    # --- figures (rows of the comparison, columns of the sweep)
    "applications_planned": ("Hồ sơ dự kiến tiếp nhận", "Applications planned"),
    "planned_age_0_6": ("  trong đó 0–6 tuổi", "  of which age 0–6"),
    "planned_age_6_14": ("  trong đó 6–14 tuổi", "  of which age 6–14"),
    "planned_age_14_plus": ("  trong đó từ 14 tuổi", "  of which 14 and over"),
    "planned_by_deadline": ("Hồ sơ tiếp nhận đến hạn chót", "Applications by the deadline"),
    "applications_outstanding": ("Hồ sơ cần tiếp nhận", "Applications outstanding"),
    "share_planned": ("Tỷ lệ hồ sơ cần tiếp nhận đã lập kế hoạch", "Share of outstanding planned"),
    "communes_never_visited": ("Số xã chưa được đến", "Communes never visited"),
    "teams": ("Số tổ lưu động", "Teams"),
    "stations": ("Tổng số bàn tiếp nhận", "Capture stations"),
    "routes": ("Số ngày-tổ làm việc", "Team-days worked"),
    "visits": ("Số lượt đến xã", "Visits"),
    "team_hours": ("Giờ công của các tổ (giờ)", "Team-hours (h)"),
    "overtime_hours": ("Giờ làm thêm (giờ)", "Overtime (h)"),
    "travel_minutes": ("Thời gian di chuyển (phút)", "Travel time (min)"),
    "distance_km": ("Quãng đường (km)", "Distance (km)"),
    "weighted_planned": ("Điểm ưu tiên đạt được", "Priority-weighted applications"),
    "upper_bound": ("Cận trên của điểm ưu tiên", "Upper bound of the weighted value"),
    "gap": ("Khoảng cách tới cận trên", "Gap to the upper bound"),
    "solve_seconds": ("Thời gian tính toán (giây)", "Solve time (s)"),
    "solver_status": ("Trạng thái bộ giải", "Solver status"),
    # --- comparison report
    "compare_title": ("So sánh các phương án", "Scenario comparison"),
    "scenario": ("Phương án", "Scenario"),
    "source": ("Nguồn", "Source"),
    "title": ("Tên kịch bản", "Title"),
    "campaign": ("Thời gian đợt cao điểm", "Campaign dates"),
    "solver": ("Bộ giải", "Solver"),
    "source_solved": ("lập kế hoạch từ", "planned from"),
    "source_saved": ("kế hoạch đã lưu", "saved plan"),
    "time_limit": ("giới hạn thời gian", "time limit"),
    "seed": ("hạt giống ngẫu nhiên", "seed"),
    "kpi_section": ("Các chỉ tiêu chính", "Headline figures"),
    "figure": ("Chỉ tiêu", "Figure"),
    "difference": ("Chênh lệch", "Difference"),
    "vs": ("so với", "vs"),
    "cumulative_section": (
        "Hồ sơ dự kiến tiếp nhận cộng dồn theo ngày",
        "Cumulative applications planned by day",
    ),
    "cumulative_axis": ("Hồ sơ cộng dồn", "Cumulative applications"),
    "date": ("Ngày", "Date"),
    "deadline": ("Hạn chót", "Deadline"),
    "holidays": ("Ngày lễ, ngày nghỉ", "Public holidays and days off"),
    "communes_section": ("Chênh lệch theo xã", "Differences by commune"),
    "commune_code": ("Mã xã", "Code"),
    "commune": ("Xã, phường, thị trấn", "Commune"),
    "outstanding": ("Cần tiếp nhận", "Outstanding"),
    "planned_in": ("Dự kiến", "Planned"),
    "commune_diff_axis": ("Chênh lệch số hồ sơ", "Difference in applications"),
    "overtime_note": (
        "Giờ làm thêm: với mỗi tổ và mỗi tuần (theo ISO), lấy số lớn hơn giữa (a) tổng số giờ "
        "vượt quá 8 giờ trong từng ngày và (b) số giờ vượt quá 40 giờ trong tuần. Giờ làm việc "
        "tính từ lúc xuất phát đến lúc về điểm xuất phát, chỉ gồm công việc của đợt cao điểm.",
        "Overtime: for each team and ISO week, the larger of (a) the hours beyond 8 h on each "
        "day, summed over the week, and (b) the hours beyond 40 h in the week. Working hours "
        "run from departure to return to base and count campaign work only.",
    ),
    "share_note": (
        "Tỷ lệ = hồ sơ dự kiến tiếp nhận ÷ hồ sơ cần tiếp nhận.",
        "Share = applications planned ÷ applications outstanding.",
    ),
    # --- sweep report
    "sweep_title": ("Thử các phương án bố trí lực lượng", "Staffing sweep"),
    "base_scenario": ("Kịch bản gốc", "Base scenario"),
    "grid": ("Các biến thay đổi", "Variables varied"),
    "no_vary": ("(không thay đổi biến nào: chỉ kịch bản gốc)", "(none: the base scenario only)"),
    "points": ("Số phương án", "Scenarios"),
    "solved": ("giải mới", "solved"),
    "cached": ("lấy từ bộ nhớ đệm", "from the cache"),
    "failed": ("lỗi", "failed"),
    "status": ("Kết quả", "Status"),
    "status_ok": ("đạt", "ok"),
    "status_failed": ("lỗi", "failed"),
    "error": ("Lỗi", "Error"),
    "target_section": ("Lực lượng nhỏ nhất đạt mục tiêu", "Smallest staffing reaching the target"),
    "target": ("Mục tiêu", "Target"),
    "reached": ("Đạt mục tiêu", "Target reached"),
    "not_reached": ("Không đạt trong các phương án đã thử", "Not reached in the grid"),
    "no_solved": ("Không có phương án nào giải được", "No scenario could be solved"),
    "best_share": ("tỷ lệ cao nhất đạt được", "best share reached"),
    "target_all": ("Tất cả phương án", "All scenarios"),
    "group": ("Với các thiết lập", "With the settings"),
    "marginal_section": ("Hiệu quả của mỗi tổ tăng thêm", "Value of each extra team"),
    "marginal_none": (
        "Không thay đổi số tổ (--vary teams=...) nên không tính được hiệu quả của mỗi tổ.",
        "The number of teams is not varied (--vary teams=...), so there is no value per team.",
    ),
    "from_teams": ("Từ số tổ", "From teams"),
    "to_teams": ("Đến số tổ", "To teams"),
    "added_per_team": ("Hồ sơ tăng thêm mỗi tổ", "Applications added per team"),
    "share_added": ("Tỷ lệ tăng thêm", "Share added"),
    "share_chart_title": ("Tỷ lệ đã lập kế hoạch theo số tổ", "Share planned by number of teams"),
    "marginal_chart_title": ("Hồ sơ tăng thêm cho mỗi tổ", "Applications added per extra team"),
    "results_section": ("Kết quả từng phương án", "Results of every scenario"),
    "failed_section": ("Phương án bị lỗi", "Scenarios that failed"),
    "sweep_note": (
        "Mỗi phương án được giải độc lập, trong giới hạn thời gian nêu trên; kết quả là kế "
        "hoạch tốt nhất tìm được, không phải tối ưu tuyệt đối.",
        "Each scenario is solved on its own within the time limit above; the results are the "
        "best plans found, not proven optima.",
    ),
    "generated_by": ("Lập bằng planner", "Generated by planner"),
    # --- command line
    "cli_reading": ("Đang đọc", "Reading"),
    "cli_planning": ("Đang lập kế hoạch", "Planning"),
    "cli_writing": ("Đang ghi kết quả vào", "Writing the outputs to"),
    "cli_preparing": ("Đang kiểm tra các phương án", "Checking the scenarios"),
    "cli_solving": ("Đang giải các phương án", "Solving the scenarios"),
    "cli_starting": ("Đang khởi động Dask", "Starting Dask"),
    "cli_workers": ("tiến trình Dask", "Dask worker processes"),
    "cli_local": ("cụm Dask cục bộ", "local Dask cluster"),
    "cli_scheduler": ("bộ điều phối Dask", "Dask scheduler"),
    "cli_to_solve": ("cần giải", "to solve"),
    "cli_invalid": ("không hợp lệ", "invalid"),
    "cli_estimate": ("ước tính khoảng", "about"),
    "cli_minutes": ("phút", "min"),
    "cli_outputs": ("Kết quả được ghi vào", "Outputs written to"),
    "cli_wall": ("Thời gian chạy", "Wall time"),
    "cli_failed_note": (
        "phương án bị lỗi; xem cột error trong results.csv",
        "scenarios failed; see the error column of results.csv",
    ),
    "yes": ("có", "yes"),
    "no": ("không", "no"),
}


def text(key: str, lang: str) -> str:
    """User-facing text for ``key`` in ``lang`` (``"vi"`` or ``"en"``).

    Raises
    ------
    ValueError
        If ``lang`` is not supported.
    KeyError
        If ``key`` is unknown.
    """
    i = check_lang(lang)
    try:
        return _TEXT[key][i]
    except KeyError:
        raise KeyError(f"no text {key!r}") from None


def nfc(value: object) -> str:
    """Text in Unicode normal form C."""
    return unicodedata.normalize("NFC", str(value))


def esc(value: object) -> str:
    """HTML-escaped NFC text."""
    return html.escape(nfc(value), quote=True)


def _as_float(value: Any) -> float | None:
    """A number as float, or ``None`` for ``None``, NaN, ``pd.NA`` and non-numbers."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def fmt_number(value: Any, lang: str, digits: int = 0) -> str:
    """A number with thousands separators (``12.097`` in Vietnamese, ``12,097`` in English)."""
    if isinstance(value, str):
        return value
    v = _as_float(value)
    if v is None:
        return "—"
    s = f"{v:,.{digits}f}"
    if check_lang(lang) == 0:
        s = s.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return s


def fmt_share(value: Any, lang: str) -> str:
    """A share in [0, 1] as a percentage with one decimal."""
    v = _as_float(value)
    return "—" if v is None else fmt_number(100 * v, lang, 1) + "%"


def fmt_signed(value: Any, lang: str, digits: int = 0) -> str:
    """A difference with its sign (``+120``, ``−35``, ``0``)."""
    v = _as_float(value)
    if v is None:
        return "—"
    if round(v, digits) == 0:
        return fmt_number(0, lang, digits)
    return ("+" if v > 0 else "−") + fmt_number(abs(v), lang, digits)


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
        f"<title>{esc(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>{esc(title)}</h1>",
        *body,
        f'<p class="note">{esc(text("generated_by", lang))}</p>',
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
    out += [f"<th>{esc(h)}</th>" for h in header]
    out.append("</tr></thead><tbody>")
    for i, row in enumerate(rows):
        cls = f' class="{row_classes[i]}"' if i < len(row_classes) and row_classes[i] else ""
        out.append(f"<tr{cls}>")
        for content, css in row:
            out.append(f'<td class="{css}">{content}</td>' if css else f"<td>{content}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)
