"""General labels shared by every output (teams, dates, stops, map, route sheet), vi and en."""

from __future__ import annotations

#: Labels used across the outputs, looked up without an area prefix.
LABELS: dict[str, tuple[str, str]] = {
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


#: Names of the slot kinds (keys ``slot.<kind>``).
SLOTS: dict[str, tuple[str, str]] = {
    "evening": ("Buổi tối", "Evening"),
    "weekend": ("Cuối tuần", "Weekend"),
    "holiday": ("Ngày lễ", "Public holiday"),
}


#: Names of the age bands (keys ``band.<band>``).
BANDS: dict[str, tuple[str, str]] = {
    "age_0_6": ("0–6 tuổi", "Age 0–6"),
    "age_6_14": ("6–14 tuổi", "Age 6–14"),
    "age_14_plus": ("Từ 14 tuổi", "14 and over"),
}
