"""Every text the web app shows, vi and en."""

from __future__ import annotations

#: Keys ``web.<key>``.
LABELS: dict[str, tuple[str, str]] = {
    # --- frame
    "app_title": ("Lập kế hoạch tổ lưu động cấp căn cước", "Mobile ID-card team planner"),
    "footer": (
        "Chạy trên máy này; không cần Internet. Dữ liệu hộ gia đình không bao giờ được tải về.",
        "Runs on this computer; no internet needed. Household data is never served back.",
    ),
    "home": ("Trang đầu", "Home"),
    "back": ("Quay lại", "Back"),
    "back_campaign": ("Về đợt cao điểm", "Back to the campaign"),
    "error_title": ("Không thực hiện được", "This could not be done"),
    # --- login
    "login_title": ("Đăng nhập", "Log in"),
    "password": ("Mật khẩu", "Password"),
    "login": ("Đăng nhập", "Log in"),
    "logout": ("Đăng xuất", "Log out"),
    "login_failed": ("Sai mật khẩu.", "Wrong password."),
    # --- home
    "home_title": ("Các đợt cao điểm", "Campaigns"),
    "home_lead": (
        "Lập kế hoạch cho các tổ lưu động: tổ nào đến xã nào, vào buổi tối, ngày nghỉ hay "
        "ngày lễ nào. Bắt đầu từ dữ liệu mẫu hoặc từ dữ liệu của đơn vị.",
        "Plan the mobile teams: which team works which commune on which evening, weekend or "
        "holiday. Start from the demo or from your own data.",
    ),
    "start_demo": ("Bắt đầu từ dữ liệu mẫu", "Start from the demo"),
    "start_demo_help": (
        "Huyện mẫu Minh Sơn, 4 tổ, hai tuần quanh dịp Quốc khánh 2/9.",
        "The demo district Minh Sơn, 4 teams, two weeks around the 2/9 National Day.",
    ),
    "start_demo_button": ("Tạo đợt từ dữ liệu mẫu", "Create from the demo"),
    "campaigns": ("Đợt đã có", "Existing campaigns"),
    "start_files": ("Bắt đầu từ dữ liệu của đơn vị", "Start from your own files"),
    "start_files_help": (
        "Ranh giới xã (GeoJSON, GeoPackage hoặc Shapefile nén .zip) và bảng thống kê "
        "(CSV/XLSX) hoặc danh sách hộ. Dữ liệu được kiểm tra trước khi lưu.",
        "Commune boundaries (GeoJSON, GeoPackage or a zipped Shapefile) and a statistics "
        "table (CSV/XLSX) or a household registry. Everything is checked before it is stored.",
    ),
    "campaign_name": ("Tên đợt", "Campaign name"),
    "base_code": (
        "Mã xã đặt trụ sở (khi không có ranh giới huyện)",
        "Base commune code (without a district outline)",
    ),
    "days": ("Số ngày", "Days"),
    "n_teams": ("Số tổ", "Number of teams"),
    "check_files": ("Kiểm tra dữ liệu", "Check the files"),
    "input_communes": ("Ranh giới xã", "Commune boundaries"),
    "input_boundary": ("Ranh giới huyện", "District outline"),
    "input_stats": ("Bảng thống kê theo xã", "Statistics by commune"),
    "input_households": ("Danh sách hộ gia đình", "Household registry"),
    "input_roads": ("Mạng lưới đường", "Road network"),
    # --- load report
    "report_title": ("Kết quả kiểm tra dữ liệu", "Load report"),
    "report_ok": (
        "Dữ liệu dùng được. Chưa có gì được lưu: bấm Lưu để dùng dữ liệu này.",
        "The data is usable. Nothing is stored yet: press Save to use it.",
    ),
    "report_bad": (
        "Dữ liệu chưa dùng được; chưa có gì thay đổi. Sửa các lỗi dưới đây rồi tải lên lại.",
        "The data is not usable; nothing was changed. Fix the problems below and upload again.",
    ),
    "apply": ("Lưu", "Save"),
    "discard": ("Bỏ", "Discard"),
    # --- campaign
    "saved": ("Đã lưu.", "Saved."),
    "dates": ("Thời gian", "Dates"),
    "start": ("Từ ngày", "Start"),
    "end": ("Đến ngày", "End"),
    "deadline": ("Hạn cuối", "Deadline"),
    "n_teams_is": ("{n} tổ lưu động", "{n} teams"),
    "plan_title": ("Lập kế hoạch", "Plan"),
    "time_limit": ("Thời gian tối ưu (giây)", "Optimizer time limit (s)"),
    "effort": ("Mức tìm kiếm", "Effort"),
    "effort_quick": ("Nhanh", "Quick"),
    "effort_normal": ("Thường", "Normal"),
    "effort_thorough": ("Kỹ", "Thorough"),
    "stopped_by_time": ("dừng do hết thời gian", "stopped by the time limit"),
    "plan_button": ("Lập kế hoạch", "Plan"),
    "plan_help": (
        "Chạy nền; có thể hủy. Nhiều lượt được xếp hàng và chạy lần lượt.",
        "Runs in the background and can be cancelled. Several runs wait their turn.",
    ),
    "runs": ("Các lượt lập kế hoạch", "Runs"),
    "run": ("Lượt", "Run"),
    "state": ("Trạng thái", "State"),
    "variant": ("Phương án", "Variant"),
    "of_run": ("của lượt", "of run"),
    "no_runs": ("Chưa có lượt nào.", "No runs yet."),
    "state_queued": ("Đang chờ", "Waiting"),
    "state_running": ("Đang chạy", "Running"),
    "state_done": ("Xong", "Done"),
    "state_failed": ("Lỗi", "Failed"),
    "state_cancelled": ("Đã hủy", "Cancelled"),
    "campaign_settings": ("Thiết lập đợt", "Campaign settings"),
    "edit": ("Sửa thiết lập", "Edit settings"),
    "validate": ("Kiểm tra dữ liệu", "Check the data"),
    "team_id": ("Mã", "Id"),
    "team_name": ("Tên tổ", "Team name"),
    "stations": ("Số bàn", "Stations"),
    "members": ("Thành viên", "Members"),
    "base": ("Điểm xuất phát", "Base"),
    "point": ("tọa độ", "a point"),
    "district_base": ("Trụ sở huyện", "District base"),
    "calendar": ("Lịch", "Calendar"),
    "month": ("Tháng {m}/{y}", "{y}-{m:02d}"),
    "weekdays": ("T2,T3,T4,T5,T6,T7,CN", "Mo,Tu,We,Th,Fr,Sa,Su"),
    "kind_evening": ("Buổi tối ngày làm việc", "Working-day evening"),
    "kind_weekend": ("Cuối tuần", "Weekend"),
    "kind_holiday": ("Ngày lễ", "Public holiday"),
    "kind_off": ("Không làm", "Not worked"),
    "data": ("Dữ liệu", "Data"),
    "data_help": (
        "Tệp mới được kiểm tra trước; tệp cũ chỉ bị thay khi bạn bấm Lưu. Tối đa theo giới "
        "hạn của máy chủ.",
        "A new file is checked first; the old one is replaced only when you press Save.",
    ),
    "upload_check": ("Tải lên và kiểm tra", "Upload and check"),
    "remove": ("Bỏ", "Remove"),
    "scenario_file": ("Tệp kịch bản (YAML)", "Scenario file (YAML)"),
    "scenario_help": (
        "Cùng tệp mà lệnh planner plan dùng. Đường dẫn trong tệp là tên tệp dữ liệu ở trên "
        "(communes.geojson …): đặt tệp YAML cạnh các tệp đó rồi chạy planner plan.",
        "The same file planner plan takes. Its paths are the data file names above "
        "(communes.geojson …): put the YAML beside those files and run planner plan.",
    ),
    "download_yaml": ("Tải tệp kịch bản", "Download the scenario"),
    "upload_yaml": ("Tải lên và kiểm tra", "Upload and check"),
    # --- edit
    "edit_title": ("Sửa thiết lập đợt", "Edit the campaign"),
    "not_saved": ("Chưa lưu: sửa các lỗi sau.", "Not saved: fix these problems."),
    "general": ("Chung", "General"),
    "extra_days": ("Ngày nghỉ thêm (cách nhau bởi dấu phẩy)", "Extra days off (comma-separated)"),
    "slot_kind": ("Loại ca", "Kind of slot"),
    "worked": ("Làm việc", "Worked"),
    "duty_start": ("Bắt đầu trực", "Duty starts"),
    "reception_start": ("Bắt đầu tiếp nhận", "Reception starts"),
    "reception_end": ("Kết thúc tiếp nhận", "Reception ends"),
    "duty_end": ("Kết thúc trực", "Duty ends"),
    "turnout": ("Tỷ lệ đến", "Turnout"),
    "teams": ("Các tổ lưu động", "Teams"),
    "teams_help": (
        "Thành viên cách nhau bởi dấu chấm phẩy; ngày nghỉ và địa bàn (mã xã) bởi dấu phẩy. "
        "Điểm xuất phát: mã xã hoặc kinh độ, vĩ độ; để trống là trụ sở huyện. Dòng không có "
        "mã bị bỏ qua.",
        "Members separated by semicolons; days off and area (commune codes) by commas. Base: "
        "a commune code or lon, lat; blank is the district base. Rows without an id are left "
        "out.",
    ),
    "hour_cap": ("Giờ tối đa/tuần", "Hours/week cap"),
    "rest_days": ("Ngày nghỉ/tuần", "Rest days/week"),
    "days_off": ("Ngày vắng", "Days off"),
    "area": ("Địa bàn (mã xã)", "Area (commune codes)"),
    "add_team": ("Thêm tổ", "Add a team"),
    "new_team_name": ("Tổ lưu động số", "Mobile team"),
    "service_title": ("Tiếp nhận, tỷ lệ đến và ưu tiên", "Service, turnout and priorities"),
    "minutes_per": ("Phút mỗi hồ sơ", "Minutes per application"),
    "setup_minutes": ("Phút chuẩn bị mỗi điểm", "Setup minutes per stop"),
    "repeat_share": ("Tỷ lệ đến ở lượt lặp lại", "Share reached per repeat visit"),
    "weight": ("Trọng số ưu tiên", "Priority weight"),
    "min_visits": ("Số lượt tối thiểu mỗi xã", "Minimum visits per commune"),
    "seed": ("Hạt giống ngẫu nhiên", "Random seed"),
    "pins": ("Lượt cố định (tổ, ngày, mã xã; mỗi dòng một lượt)", "Pinned visits"),
    "pins_help": (
        "Ví dụ: T1, 2026-09-02, 99901 — tổ T1 đến xã 99901 ngày 2/9.",
        "One per line: team, date, commune code — e.g. T1, 2026-09-02, 99901.",
    ),
    "save": ("Lưu", "Save"),
    "cancel": ("Hủy", "Cancel"),
    "band_age_0_6": ("Trẻ dưới 6 tuổi", "Children under 6"),
    "band_age_6_14": ("Trẻ 6–14 tuổi", "Children 6–14"),
    "band_age_14_plus": ("Từ 14 tuổi", "Aged 14 and over"),
    # --- run
    "stage_queued": ("Đang chờ lượt trước chạy xong …", "Waiting for the runs before it …"),
    "stage_loading": ("Đang đọc dữ liệu …", "Reading the data …"),
    "stage_solving": ("Đang tối ưu …", "Optimizing …"),
    "stage_writing": ("Đang ghi bản đồ, phiếu và bảng …", "Writing the map, sheets and tables …"),
    "stage_done": ("Xong", "Done"),
    "stage_failed": ("Lỗi", "Failed"),
    "stage_cancelled": ("Đã hủy", "Cancelled"),
    "stage_running": ("Đang chạy …", "Running …"),
    "cancel_run": ("Hủy lượt này", "Cancel this run"),
    "run_cancelled": (
        "Lượt này đã bị hủy; các lượt trước không bị ảnh hưởng.",
        "This run was cancelled; earlier runs are untouched.",
    ),
    "run_failed": ("Lượt này không thành công:", "This run failed:"),
    "applications_planned": ("Hồ sơ đã lập kế hoạch", "Applications planned"),
    "priority_value": ("Giá trị ưu tiên", "Priority value"),
    "bound_gap": (
        "{x}, tối đa có thể {y} (cách {gap} %)",
        "{x} of at most {y} (gap {gap} %)",
    ),
    "routes_visits": ("Số tuyến · số lượt", "Routes · visits"),
    "never_visited": ("Xã chưa được đến", "Communes never visited"),
    "team_hours": ("Giờ làm việc của các tổ", "Team hours"),
    "travel": ("Thời gian di chuyển", "Travel time"),
    "minutes": ("phút", "min"),
    "solve_seconds": ("Thời gian tối ưu (giây)", "Optimizer seconds"),
    "downloads": ("Tải về", "Downloads"),
    "download_zip": ("Tất cả (ZIP)", "Everything (ZIP)"),
    "download_xlsx": ("Bảng phân công (XLSX)", "Assignments (XLSX)"),
    "open_map": ("Mở bản đồ", "Open the map"),
    "map": ("Bản đồ", "Map"),
    "sheets": ("Phiếu lịch trình theo ngày và tổ", "Route sheets by day and team"),
    "date": ("Ngày", "Date"),
    "day_pdf": ("Cả ngày", "Whole day"),
    "n_stops": ("{n} điểm", "{n} stops"),
    "variants": ("Phương án khác", "Variants"),
    "variants_help": (
        "Lập lại kế hoạch với một thay đổi, rồi so sánh với lượt này.",
        "Plan again with one change, then compare with this run.",
    ),
    "variant_more_teams": ("Thêm 2 tổ", "Two more teams"),
    "variant_no_holidays": ("Không làm ngày lễ", "No holiday work"),
    "variant_of": ("Phương án của lượt", "Variant of run"),
    "compare": ("So sánh", "Compare"),
    "compare_with": ("So sánh với lượt {run}", "Compare with run {run}"),
    "compare_title": ("So sánh hai phương án", "Two plans compared"),
    "open_full": ("Mở báo cáo đầy đủ", "Open the full report"),
    # --- actual counts and re-plan
    "replan_title": (
        "Số liệu thực tế và lập lại kế hoạch",
        "Actual counts and re-plan",
    ),
    "replan_help": (
        "Sau mỗi buổi, nhập số hồ sơ đã tiếp nhận; phần còn lại của đợt được lập lại từ ngày "
        "bạn chọn, giữ nguyên các phiếu đã phát của những ngày gần nhất. Giống lệnh planner "
        "replan.",
        "After each slot, enter the applications taken; the rest of the campaign is re-planned "
        "from the day you choose, keeping the sheets already handed out for the next days. "
        "The same as the planner replan command.",
    ),
    "replan_step_download": (
        "Tải biểu mẫu số liệu thực tế của lượt này, điền số liệu:",
        "Download this run's actuals form and fill it in:",
    ),
    "download_actuals": ("Biểu mẫu số liệu thực tế", "Actuals form"),
    "replan_step_upload": (
        "Tải lên biểu mẫu đã điền (XLSX hoặc CSV, tối đa 5 MB) để kiểm tra:",
        "Upload the filled form (XLSX or CSV, at most 5 MB) to check it:",
    ),
    "actuals_file": ("Biểu mẫu số liệu thực tế đã điền", "Filled actuals form"),
    "replan_step_table": (
        "Hoặc nhập số liệu của một ngày ngay trên trang:",
        "Or enter one day's counts on a page:",
    ),
    "open_table": ("Mở bảng nhập", "Open the table"),
    "actuals_short": ("Số liệu thực tế", "Actual counts"),
    "actuals_bad": (
        "Số liệu chưa dùng được; chưa có gì được lưu hay chạy. Sửa các lỗi sau:",
        "The counts cannot be used; nothing was stored or started. Fix these problems:",
    ),
    "actuals_ok": (
        "{name}: số liệu đọc được. Chọn ngày bắt đầu lập lại kế hoạch.",
        "{name}: the counts are readable. Choose the day to re-plan from.",
    ),
    "actuals_reported": (
        "{n} điểm dừng có số liệu, từ {first} đến {last}.",
        "{n} stops reported, from {first} to {last}.",
    ),
    "actuals_none": (
        "Chưa có dòng nào được điền: các ngày trước ngày chọn được tính như kế hoạch.",
        "No row is filled in: the days before the chosen day count as planned.",
    ),
    "replan_today": ("Lập lại kế hoạch từ ngày", "Re-plan from"),
    "keep_days": ("Số ngày giữ nguyên phiếu", "Days whose sheets are kept"),
    "start_replan": ("Lập lại kế hoạch", "Re-plan"),
    "replan_today_help": (
        "Các ngày trước ngày này được chốt theo số liệu thực tế; phiếu của các ngày giữ "
        "nguyên không đổi trừ khi không thể thực hiện.",
        "Days before this one are frozen as reported; the sheets of the kept days stay as "
        "they are unless they became impossible.",
    ),
    "table_title": ("Nhập số liệu thực tế — {day}", "Actual counts — {day}"),
    "table_help": (
        "Mỗi dòng là một điểm dừng theo kế hoạch: điền số hồ sơ đã tiếp nhận theo độ tuổi "
        "(số nguyên ≥ 0) và tình trạng. Dòng để trống được tính như kế hoạch. Số dòng giống "
        "số dòng trong tệp số liệu.",
        "One row per planned stop: enter the applications taken by age band (whole numbers "
        "≥ 0) and the status. Empty rows count as planned. Row numbers are those of the "
        "actuals file.",
    ),
    "table_file": ("Bảng nhập ngày", "Counts table of"),
    "table_check": ("Kiểm tra số liệu", "Check the counts"),
    "row": ("Dòng", "Row"),
    "stop": ("Điểm dừng", "Stop"),
    "planned_actual": ("kế hoạch / thực tế", "planned / actual"),
    "stop_status": ("Tình trạng", "Status"),
    "note": ("Ghi chú", "Note"),
    "status_done": ("đã làm", "done"),
    "status_partly": ("làm một phần", "partly done"),
    "status_not_done": ("không làm", "not done"),
    "replan_kind": ("Lập lại kế hoạch", "Re-plan"),
    "replan_of": ("Lập lại kế hoạch của lượt", "Re-plan of run"),
    "replan_from": ("từ ngày {day}, giữ {n} ngày", "from {day}, {n} days kept"),
    "actuals_source": ("số liệu", "counts"),
    "replan_result": ("Kết quả lập lại kế hoạch", "Re-plan result"),
    "sheets_kept": ("Phiếu giữ nguyên", "Sheets kept"),
    "sheets_changed": ("Phiếu thay đổi", "Sheets changed"),
    "sheets_added": ("Phiếu mới", "Sheets added"),
    "applications_actual": ("Hồ sơ đã tiếp nhận đến nay", "Applications taken to date"),
    "open_campaign_report": ("Báo cáo tiến độ đợt", "Campaign-to-date report"),
    "download_changes": ("Danh sách phiếu thay đổi (CSV)", "Sheet changes (CSV)"),
    # --- errors
    "err_length": ("Yêu cầu thiếu độ dài nội dung.", "The request has no content length."),
    "err_too_large": (
        "Tệp quá lớn: tối đa {mb} MB.",
        "The upload is too large: at most {mb} MB.",
    ),
    "err_csrf": (
        "Biểu mẫu đã hết hạn hoặc không đến từ trang này; tải lại trang rồi thử lại.",
        "The form has expired or did not come from this site; reload the page and try again.",
    ),
    "err_login": ("Cần đăng nhập.", "Log in first."),
    "err_no_file": ("Chưa chọn tệp.", "No file was chosen."),
    "err_not_done": ("Lượt {run} chưa xong.", "Run {run} has not finished."),
    "err_host": (
        "Yêu cầu bị từ chối: địa chỉ trang không phải máy này (localhost, 127.0.0.1).",
        "Request refused: it is not addressed to this computer (localhost, 127.0.0.1).",
    ),
    "login_locked": (
        "Nhập sai mật khẩu quá nhiều lần. Thử lại sau {n} phút.",
        "Too many wrong passwords. Try again in {n} minutes.",
    ),
    "err_no_stops": ("Lượt này không có điểm dừng nào.", "This run has no planned stops."),
    "err_variant_replan": (
        "Lượt lập lại kế hoạch không có phương án khác; tạo phương án từ lượt gốc.",
        "A re-plan has no variants; make the variant from the original run.",
    ),
    "err_not_served": (
        "Tệp này không được tải về: chỉ các kết quả của kế hoạch theo xã.",
        "This file is not served: only the plan's commune-level outputs are.",
    ),
}
