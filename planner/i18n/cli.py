"""Text of the command line: progress, the verdicts of ``planner validate``, vi and en."""

from __future__ import annotations

#: Keys ``cli.<key>``.
LABELS: dict[str, tuple[str, str]] = {
    "communes": ("xã", "communes"),
    "teams": ("tổ", "teams"),
    "effort": ("mức tính toán", "effort"),
    "time_limit": ("giới hạn thời gian", "time limit"),
    "reading": ("Đang đọc", "Reading"),
    "optimizing": ("Đang tối ưu …", "Optimizing …"),
    "replanning": ("Đang lập lại kế hoạch …", "Re-planning …"),
    "planning": ("Đang lập kế hoạch", "Planning"),
    "writing": ("Đang ghi kết quả vào", "Writing the outputs to"),
    "preparing": ("Đang kiểm tra các phương án", "Checking the scenarios"),
    "solving": ("Đang giải các phương án", "Solving the scenarios"),
    "starting": ("Đang khởi động Dask", "Starting Dask"),
    "workers": ("tiến trình Dask", "Dask worker processes"),
    "local": ("cụm Dask cục bộ", "local Dask cluster"),
    "scheduler": ("bộ điều phối Dask", "Dask scheduler"),
    "to_solve": ("cần giải", "to solve"),
    "invalid": ("không hợp lệ", "invalid"),
    "estimate": ("ước tính khoảng", "about"),
    "minutes": ("phút", "min"),
    "outputs": ("Kết quả được ghi vào", "Outputs written to"),
    "wall": ("Thời gian chạy", "Wall time"),
    "failed_note": (
        "phương án bị lỗi; xem cột error trong results.csv",
        "scenarios failed; see the error column of results.csv",
    ),
    "checking": ("Đang kiểm tra {path} …", "Checking {path} …"),
    "usable": (
        "✓ Dữ liệu dùng được để lập kế hoạch (không chạy tối ưu). "
        "Lập kế hoạch: planner plan {path}",
        "✓ The inputs are usable (nothing was optimised). To plan: planner plan {path}",
    ),
    "usable_warnings": (
        "✓ Dữ liệu dùng được để lập kế hoạch, có {n} lưu ý ở trên. "
        "Lập kế hoạch: planner plan {path}",
        "✓ The inputs are usable, with {n} warning(s) above. To plan: planner plan {path}",
    ),
    "unusable": (
        "✗ Dữ liệu chưa dùng được: {n} lỗi cần sửa",
        "✗ The inputs are not usable: {n} problem(s) to fix",
    ),
    "problems": ("Lỗi", "Problems"),
}
