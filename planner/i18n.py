"""User-facing text in Vietnamese (default) and English.

Every string a user reads goes through :func:`label` (or the helpers below), so that a
page is entirely in one language. Unknown languages raise ``ValueError``; an unknown key
raises ``KeyError`` (a programming error, caught by the tests).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Literal

Lang = Literal["vi", "en"]
LANGS: tuple[str, ...] = ("vi", "en")

_LABELS: dict[str, tuple[str, str]] = {
    # key: (vi, en)
    # --- general
    "app_title": ("Kế hoạch tổ lưu động cấp căn cước", "Mobile ID-card team plan"),
    "district": ("Đơn vị", "District"),
    "campaign": ("Thời gian đợt cao điểm", "Campaign dates"),
    "scenario": ("Kịch bản", "Scenario"),
    "team": ("Tổ", "Team"),
    "teams": ("Các tổ lưu động", "Teams"),
    "members": ("Thành viên", "Members"),
    "members_none": ("(chưa phân công)", "(not assigned)"),
    "stations": ("Số bàn tiếp nhận", "Stations"),
    "date": ("Ngày", "Date"),
    "slot": ("Ca làm việc", "Slot"),
    "holiday": ("Ngày lễ", "Public holiday"),
    "non_working_day": ("Ngày nghỉ", "Non-working day"),
    "commune": ("Xã, phường, thị trấn", "Commune"),
    "communes": ("Xã, phường, thị trấn", "Communes"),
    "service_point": ("Điểm tiếp nhận", "Service point"),
    "police_contact": ("Liên hệ Công an xã", "Commune police contact"),
    "base": ("Điểm xuất phát", "Base"),
    "district_base": ("Trụ sở Công an huyện", "District police base"),
    "team_base": ("Điểm xuất phát riêng của tổ", "Team's own base"),
    "arrive": ("Giờ đến", "Arrival"),
    "reception": ("Giờ tiếp nhận", "Reception"),
    "depart": ("Xuất phát", "Departure"),
    "return": ("Giờ về", "Back at base"),
    "return_leg": ("Về điểm xuất phát", "Return to base"),
    "travel_minutes": ("Di chuyển (phút)", "Travel (min)"),
    "minutes": ("phút", "min"),
    "distance": ("Quãng đường", "Distance"),
    "km": ("km", "km"),
    "expected": ("Dự kiến tiếp nhận", "Expected applications"),
    "total": ("Tổng", "Total"),
    "totals": ("Cộng", "Totals"),
    "order": ("TT", "#"),
    "stops": ("Số điểm dừng", "Stops"),
    "no_stops": ("Không có điểm dừng", "No stops"),
    "none": ("—", "—"),
    # --- map
    "district_outline": ("Ranh giới huyện", "District boundary"),
    "outstanding": ("Hồ sơ cần tiếp nhận", "Outstanding applications"),
    "planned": ("Đã lập kế hoạch", "Planned applications"),
    "share": ("Tỷ lệ đã lập kế hoạch", "Share planned"),
    "share_caption": (
        "Tỷ lệ hồ sơ cần tiếp nhận đã được lập kế hoạch (%)",
        "Share of outstanding applications planned (%)",
    ),
    "visits": ("Số lượt tổ đến", "Visits"),
    "cli_communes": ("xã", "communes"),
    "cli_teams": ("tổ", "teams"),
    "cli_effort": ("mức tính toán", "effort"),
    "cli_time_limit": ("giới hạn thời gian", "time limit"),
    "cli_reading": ("Đang đọc", "Reading"),
    "cli_optimizing": ("Đang tối ưu …", "Optimizing …"),
    "actual_layer": ("Đã tiếp nhận thực tế (các ngày đã làm)", "Actually taken (days worked)"),
    "actual_taken": ("Đã tiếp nhận thực tế", "Actually taken"),
    "actual_share": ("Tỷ lệ đã tiếp nhận thực tế", "Share actually taken"),
    "actual_visits": ("Số lượt đã làm", "Visits worked"),
    "no_demand": ("Không còn hồ sơ cần tiếp nhận", "No outstanding applications"),
    "legend": ("Chú giải", "Legend"),
    "legend_share_low": ("Chưa lập kế hoạch", "Nothing planned"),
    "legend_share_high": ("Đã lập kế hoạch toàn bộ", "Fully planned"),
    "legend_teams": ("Tổ lưu động (điểm dừng và tuyến)", "Teams (stops and routes)"),
    "legend_bases": ("Điểm xuất phát", "Bases"),
    "legend_lines": (
        "Tuyến vẽ bằng đường thẳng giữa các điểm, không theo đường thực tế.",
        "Routes are straight lines between points, not actual roads.",
    ),
    "stop": ("Điểm dừng", "Stop"),
    # --- route sheet
    "sheet_title": ("Lịch trình tổ lưu động", "Mobile team route sheet"),
    "actual_count": ("Số hồ sơ thực nhận", "Applications actually taken"),
    "notes": ("Ghi chú", "Notes"),
    "general_notes": ("Ghi chú của tổ trưởng", "Team leader's notes"),
    "leader_signature": ("Tổ trưởng (ký, ghi rõ họ tên)", "Team leader (signature, full name)"),
    "plan_footer": (
        "Lập từ kế hoạch, kịch bản",
        "Generated from the plan, scenario",
    ),
    # --- index
    "index_title": ("Danh sách lịch trình các tổ", "Route sheets"),
    "routes": ("Lịch trình", "Routes"),
    "no_routes": ("Kế hoạch chưa có lịch trình nào.", "The plan has no routes."),
    # --- command-line summary
    "summary_title": ("Tóm tắt kế hoạch", "Plan summary"),
    "kpi": ("Chỉ tiêu", "Figure"),
    "value": ("Giá trị", "Value"),
    "applications_outstanding": ("Hồ sơ cần tiếp nhận", "Applications outstanding"),
    "applications_planned": ("Hồ sơ dự kiến tiếp nhận", "Applications planned"),
    "communes_never_visited": ("Xã chưa được đến", "Communes never visited"),
    "team_hours": ("Giờ công của các tổ", "Team-hours"),
    "travel_time": ("Thời gian di chuyển", "Travel time"),
    "solve_seconds": ("Thời gian tính toán (giây)", "Solve time (s)"),
    "outputs_in": ("Kết quả được ghi vào", "Outputs written to"),
    "warnings": ("Lưu ý", "Warnings"),
    "priority_value": ("Điểm ưu tiên (theo trọng số)", "Priority-weighted value"),
    "planned_of_at_most": (
        "đạt {x} / tối đa {y} (còn cách {gap})",
        "planned {x} of at most {y} (gap {gap})",
    ),
    # --- command line
    "stopped_outputs_kept": (
        "Đã dừng, các kết quả trước được giữ nguyên (dừng bằng Ctrl-C).",
        "Stopped, earlier outputs kept (interrupted with Ctrl-C).",
    ),
}

_SLOTS: dict[str, tuple[str, str]] = {
    "evening": ("Buổi tối", "Evening"),
    "weekend": ("Cuối tuần", "Weekend"),
    "holiday": ("Ngày lễ", "Public holiday"),
}

_BANDS: dict[str, tuple[str, str]] = {
    "age_0_6": ("0–6 tuổi", "Age 0–6"),
    "age_6_14": ("6–14 tuổi", "Age 6–14"),
    "age_14_plus": ("Từ 14 tuổi", "14 and over"),
}

_WEEKDAYS_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")
_WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS_EN = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip


def check_lang(lang: str) -> int:
    """Validate a language code.

    Parameters
    ----------
    lang : str
        ``"vi"`` or ``"en"``.

    Returns
    -------
    int
        Column index of the language in the label tables.

    Raises
    ------
    ValueError
        If the language is not supported.
    """
    try:
        return LANGS.index(lang)
    except ValueError:
        raise ValueError(f"unsupported language {lang!r}; expected one of {LANGS}") from None


def nfc(text: str) -> str:
    """Text in Unicode normal form C."""
    return unicodedata.normalize("NFC", text)


def label(key: str, lang: str) -> str:
    """The user-facing text for ``key`` in ``lang``.

    Raises
    ------
    ValueError
        If ``lang`` is not supported.
    KeyError
        If ``key`` is not in the label table.
    """
    i = check_lang(lang)
    try:
        return _LABELS[key][i]
    except KeyError:
        raise KeyError(f"no label {key!r}") from None


def slot_name(kind: str, lang: str) -> str:
    """Name of a slot kind (``"evening"``, ``"weekend"``, ``"holiday"``)."""
    i = check_lang(lang)
    try:
        return _SLOTS[kind][i]
    except KeyError:
        raise KeyError(f"unknown slot kind {kind!r}") from None


def band_name(band: str, lang: str) -> str:
    """Name of an age band (``"age_0_6"``, ``"age_6_14"``, ``"age_14_plus"``)."""
    i = check_lang(lang)
    try:
        return _BANDS[band][i]
    except KeyError:
        raise KeyError(f"unknown age band {band!r}") from None


def format_date(d: dt.date, lang: str) -> str:
    """A date with its weekday: ``"Thứ Hai, 24/08/2026"`` or ``"Mon 24 Aug 2026"``."""
    if check_lang(lang) == 0:
        return f"{_WEEKDAYS_VI[d.weekday()]}, {d.day:02d}/{d.month:02d}/{d.year}"
    return f"{_WEEKDAYS_EN[d.weekday()]} {d.day} {_MONTHS_EN[d.month - 1]} {d.year}"


def format_short_date(d: dt.date, lang: str) -> str:
    """A date without weekday: ``"24/08/2026"`` or ``"24 Aug 2026"``."""
    if check_lang(lang) == 0:
        return f"{d.day:02d}/{d.month:02d}/{d.year}"
    return f"{d.day} {_MONTHS_EN[d.month - 1]} {d.year}"
