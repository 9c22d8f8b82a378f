"""Progress messages of the optimizer and the re-plan, vi and en (see :class:`Step`)."""

from __future__ import annotations

#: Keys ``progress.<key>``.
LABELS: dict[str, tuple[str, str]] = {
    # key: (vi, en)
    "lp_round": (
        "bài toán nới lỏng tuyến tính, vòng {round}: {variables} biến",
        "linear relaxation, round {round}: {variables} variables",
    ),
    "rounding": (
        "làm tròn lộ trình: {done}/{total} tuần của các tổ",
        "rounding routes: {done}/{total} team-weeks",
    ),
    "diving": ("làm tròn lộ trình: lặn", "rounding routes: diving"),
    "slot_by_slot": ("cải thiện kế hoạch từng ca", "improving the plan slot by slot"),
    "mip": (
        "cải thiện kế hoạch (quy hoạch nguyên): {variables} biến",
        "improving the plan (MIP): {variables} variables",
    ),
    "team_by_team": (
        "cải thiện kế hoạch từng tổ: {done}/{total}",
        "improving the plan team by team: {done}/{total}",
    ),
    "area_done": ("đã lập kế hoạch {done}/{total} địa bàn", "area {done}/{total} planned"),
    "replan_free": ("đã giải phương án tự do", "free re-plan solved"),
    "replan_stable": ("đã giải phương án giữ ổn định", "stable re-plan solved"),
    "replan_until": (
        "đã giải phương án giữ các lịch trước {date}",
        "re-plan keeping sheets before {date} solved",
    ),
}
