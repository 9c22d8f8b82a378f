"""Text of the printed and exported outputs: map controls, route sheets, exports, vi and en."""

from __future__ import annotations

#: Keys ``render.<key>``.
LABELS: dict[str, tuple[str, str]] = {
    # key: (vi, en)
    # --- map
    "all_days": ("Tất cả các ngày", "All days"),
    "day_filter": ("Xem theo ngày", "Show one day"),
    "previous_day": ("Ngày trước", "Previous day"),
    "next_day": ("Ngày sau", "Next day"),
    "teams_count": ("tổ", "teams"),
    "stops_count": ("điểm dừng", "stops"),
    "visits_count": ("lượt", "visits"),
    "legend_offline": (
        "Bản đồ dùng không cần mạng: không có nền bản đồ, chỉ có ranh giới các xã.",
        "Offline map: no background map, commune boundaries only.",
    ),
    "legend_tiles": (
        "Nền bản đồ OpenStreetMap: bật ở ô chọn lớp khi có mạng internet.",
        "OpenStreetMap background: switch it on in the layer box when online.",
    ),
    "background_map": ("Nền bản đồ (cần internet)", "Background map (needs internet)"),
    # --- route sheet
    "break_line": ("Nghỉ giữa ca (nghỉ trưa)", "Break (lunch)"),
    "route_map": ("Sơ đồ tuyến", "Route map"),
    "map_base": ("Điểm xuất phát", "Base"),
    "map_stop": ("Điểm dừng", "Stop"),
    "map_line": ("Tuyến (đường thẳng)", "Route (straight lines)"),
    "north": ("B", "N"),
    "equipment": ("Trang thiết bị mang theo", "Equipment checklist"),
    "stop_header": (
        "Xã, phường / Điểm tiếp nhận / Liên hệ Công an xã",
        "Commune / Service point / Police contact",
    ),
    "eq_capture": (
        "Bộ thu nhận (máy tính, máy quét vân tay, camera): {n} bộ",
        "Capture kits (computer, fingerprint scanner, camera): {n}",
    ),
    "eq_backdrop": ("Phông nền, đèn chụp ảnh: {n} bộ", "Photo backdrops and lights: {n}"),
    "eq_power": (
        "Bộ lưu điện (UPS), ổ cắm kéo dài: {n} bộ",
        "UPS units and extension leads: {n}",
    ),
    "eq_network": ("Thiết bị kết nối mạng (4G): 1", "Network device (4G): 1"),
    "eq_printer": ("Máy in giấy hẹn trả kết quả: 1", "Receipt printer: 1"),
    "eq_forms": (
        "Biểu mẫu, văn phòng phẩm, băng rôn tuyên truyền",
        "Forms, stationery, campaign banner",
    ),
    "page": ("Trang", "Page"),
    "of": ("/", "of"),
    "pdf": ("PDF", "PDF"),
    "day_pdf": ("Tất cả các tổ trong ngày (PDF)", "All teams this day (PDF)"),
    "team_pdfs": ("Lịch trình cả đợt của từng tổ (PDF)", "Each team's whole campaign (PDF)"),
    "day_title": ("Lịch trình các tổ ngày", "Route sheets for"),
    "team_title": ("Lịch trình cả đợt", "Whole-campaign route sheets"),
    # --- sheets command
    "drawing_sheets": ("Đang vẽ lịch trình", "Drawing route sheets"),
    "sheets_written": (
        "Đã ghi {n} lịch trình (HTML và PDF), {days} tệp PDF theo ngày và {teams} tệp PDF "
        "theo tổ vào {folder}",
        "Wrote {n} route sheets (HTML and PDF), {days} per-day PDFs and {teams} per-team PDFs "
        "to {folder}",
    ),
    # --- exports
    "sheet_visits": ("Phân công", "Assignments"),
    "sheet_communes": ("Theo xã", "By commune"),
    "team_id": ("Mã tổ", "Team ID"),
    "commune_code": ("Mã xã", "Commune code"),
    "start": ("Bắt đầu tiếp nhận", "Reception start"),
    "end": ("Kết thúc tiếp nhận", "Reception end"),
    "expected_total": ("Dự kiến (tổng)", "Expected (total)"),
    "outstanding_total": ("Cần tiếp nhận (tổng)", "Outstanding (total)"),
    "planned_total": ("Dự kiến (tổng)", "Planned (total)"),
    "terrain": ("Địa hình", "Terrain"),
    "terrain_plain": ("Đồng bằng", "Plain"),
    "terrain_mountain": ("Miền núi", "Mountain"),
    "calendar_name": ("Lịch tổ lưu động", "Mobile team calendar"),
    "expected_short": ("dự kiến", "expected"),
}
