"""Text of the actuals form, the changes list and the campaign-to-date report, vi and en."""

from __future__ import annotations

#: Keys ``ops.<key>``.
LABELS: dict[str, tuple[str, str]] = {
    # key: (vi, en)
    # --- actuals form: column headers
    "date": ("Ngày", "Date"),
    "team_id": ("Mã tổ", "Team"),
    "team_name": ("Tên tổ", "Team name"),
    "slot": ("Ca", "Slot"),
    "order": ("Thứ tự", "Stop"),
    "commune_code": ("Mã xã", "Commune code"),
    "commune_name": ("Xã, phường", "Commune"),
    "service_point_id": ("Mã điểm tiếp nhận", "Service point id"),
    "service_point_name": ("Điểm tiếp nhận", "Service point"),
    "planned_age_0_6": ("Dự kiến 0–6", "Planned 0-6"),
    "planned_age_6_14": ("Dự kiến 6–14", "Planned 6-14"),
    "planned_age_14_plus": ("Dự kiến từ 14", "Planned 14+"),
    "planned_total": ("Dự kiến cộng", "Planned total"),
    "actual_age_0_6": ("Thực tế 0–6", "Actual 0-6"),
    "actual_age_6_14": ("Thực tế 6–14", "Actual 6-14"),
    "actual_age_14_plus": ("Thực tế từ 14", "Actual 14+"),
    "status": ("Tình trạng", "Status"),
    "note": ("Ghi chú", "Note"),
    # --- status values
    "done": ("đã làm", "done"),
    "partly": ("làm một phần", "partly done"),
    "not_done": ("không làm", "not done"),
    # --- form sheet
    "form_sheet": ("Số liệu thực tế", "Actual counts"),
    "help_sheet": ("Hướng dẫn", "How to fill in"),
    "help": (
        "Mỗi dòng là một điểm dừng đã lập kế hoạch. Sau mỗi buổi, điền số hồ sơ đã tiếp nhận "
        "theo từng độ tuổi (số nguyên ≥ 0) và chọn tình trạng. Điểm dừng ngoài kế hoạch: thêm "
        "một dòng với ngày, mã tổ và mã xã. Không sửa dòng 2 (mã cột dùng để đọc tự động).",
        "One row per planned stop. After each slot, enter the applications taken in each age "
        "band (whole numbers ≥ 0) and pick a status. Unplanned stops: add a row with the date, "
        "team id and commune code. Do not edit row 2 (column ids used to read the file).",
    ),
    "count_error": ("Nhập số nguyên ≥ 0", "Enter a whole number ≥ 0"),
    "status_error": ("Chọn trong danh sách", "Pick a value from the list"),
    # --- changes list and report
    "kept": ("giữ nguyên", "kept"),
    "changed": ("thay đổi", "changed"),
    "report_title": ("Tiến độ đợt cao điểm đến nay", "Campaign to date"),
    "by_day": ("Theo ngày", "By day"),
    "by_commune": ("Theo xã", "By commune"),
    "sheets_title": ("Phiếu lộ trình đã phát hành", "Published route sheets"),
    "planned": ("Kế hoạch", "Planned"),
    "actual": ("Thực tế", "Actual"),
    "share": ("Tỉ lệ", "Share"),
    "still_outstanding": ("Còn tồn", "Still outstanding"),
    "planned_ahead": ("Dự kiến từ nay", "Planned from now"),
    "total": ("Cộng", "Total"),
    "today": ("Lập lại kế hoạch từ ngày", "Re-planned from"),
    "sheets_kept": ("Phiếu giữ nguyên", "Sheets kept"),
    "sheets_changed": ("Phiếu thay đổi", "Sheets changed"),
    "reason": ("Lý do", "Reason"),
    "change": ("Thay đổi", "Change"),
    "no_days": ("Chưa có ngày nào đã làm.", "No day worked yet."),
    "map_actual": ("Đã tiếp nhận", "Taken so far"),
}
