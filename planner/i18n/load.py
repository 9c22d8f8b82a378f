"""Text of the load report: stages, headings, sections, terms, figures and messages, vi and en."""

from __future__ import annotations

#: Progress of loading (keys ``load.stage.<key>``).
STAGES: dict[str, tuple[str, str]] = {
    "scenario": ("Đọc kịch bản …", "Reading the scenario …"),
    "boundaries": ("Đọc ranh giới xã …", "Reading commune boundaries …"),
    "stats": ("Đọc bảng số liệu xã …", "Reading commune statistics …"),
    "households": ("Đọc sổ hộ …", "Reading the household registry …"),
    "service_points": ("Gom hộ thành điểm tiếp nhận …", "Grouping households into points …"),
    "roads": ("Đọc mạng đường và tính thời gian đi …", "Reading roads, computing travel …"),
}


#: Headings of the report (keys ``load.heading.<key>``).
HEADINGS: dict[str, tuple[str, str]] = {
    "report": ("Báo cáo nạp dữ liệu", "Load report"),
    "info": ("Thông tin", "Information"),
    "warning": ("Lưu ý", "Warnings"),
    "error": ("Lỗi", "Problems"),
}


#: Sections of the figures (keys ``load.section.<key>``).
SECTIONS: dict[str, tuple[str, str]] = {
    "boundaries": ("Ranh giới xã", "Commune boundaries"),
    "stats": ("Bảng số liệu xã", "Commune statistics"),
    "households": ("Sổ hộ", "Household registry"),
    "service_points": ("Điểm tiếp nhận", "Service points"),
    "roads": ("Mạng đường", "Road network"),
    "result": ("Dữ liệu dùng để lập kế hoạch", "Data for planning"),
}


#: Terms used as message parameters (keys ``load.term.<key>``).
TERMS: dict[str, tuple[str, str]] = {
    "code": ("mã", "code"),
    "name": ("tên", "name"),
    "clusters": ("cụm hộ", "household clusters"),
    "villages": ("thôn, bản", "villages"),
    "commune": ("một điểm mỗi xã", "one point per commune"),
    "straight_line": ("đường chim bay × hệ số 1,35", "straight line × 1.35"),
    "road_network": ("mạng đường", "road network"),
    "column": ("cột trong tệp", "a column of the file"),
    "scenario_default": ("giá trị mặc định trong kịch bản", "the scenario's default"),
    "plain_default": ("tệp và kịch bản đều không nêu", "neither the file nor the scenario says"),
    "plain": ("đồng bằng", "plain"),
    "mountain": ("miền núi", "mountain"),
    "field_code": ("mã xã", "commune code"),
    "field_name": ("tên xã", "commune name"),
    "field_population": ("dân số", "population"),
    "field_households": ("số hộ", "households"),
    "field_outstanding": ("hồ sơ cần tiếp nhận", "outstanding applications"),
    "field_age_0_6": ("0–6 tuổi", "age 0–6"),
    "field_age_6_14": ("6–14 tuổi", "age 6–14"),
    "field_age_14_plus": ("từ 14 tuổi", "14 and over"),
    "outline_union_term": ("hợp của các xã", "union of the communes"),
    "whole_number": ("số nguyên ≥ 0", "a whole number ≥ 0"),
    "number": ("số", "a number"),
    "yes_no": ("có/không (1/0)", "yes or no (1/0)"),
}


#: Names of the figures (keys ``load.count.<key>``).
COUNTS: dict[str, tuple[str, str]] = {
    # boundaries
    "file": ("Tệp", "File"),
    "crs": ("Hệ tọa độ của tệp", "CRS of the file"),
    "features_read": ("Số đối tượng đọc được", "Features read"),
    "features_selected": ("Số đối tượng được chọn", "Features selected"),
    "features_repaired": ("Hình học được sửa", "Geometries repaired"),
    "multipart": ("Xã gồm nhiều mảnh (đảo, mảnh rời)", "Communes in several parts (islands)"),
    "communes_excluded": ("Xã loại khỏi kế hoạch", "Communes excluded"),
    "terrain_from_column": ("Địa hình lấy từ cột", "Terrain from the column"),
    "terrain_default": ("Địa hình theo mặc định", "Terrain by default"),
    "sp_from_file": ("Điểm tiếp nhận có sẵn trong tệp", "Service points given in the file"),
    "sp_from_households": ("Điểm tiếp nhận = cụm hộ đông nhất", "Service points = densest cluster"),
    "sp_representative": (
        "Điểm tiếp nhận = điểm đại diện của xã",
        "Service points = representative point",
    ),
    "outline": ("Ranh giới huyện", "District outline"),
    # stats
    "rows_read": ("Số dòng đọc được", "Rows read"),
    "total_rows_skipped": ("Dòng tổng cộng bỏ qua", "Total rows skipped"),
    "join_by": ("Ghép theo", "Joined by"),
    "matched": ("Số dòng ghép được", "Rows matched"),
    "unmatched": ("Số dòng không ghép được", "Rows not matched"),
    "ambiguous": ("Số dòng khớp nhiều xã", "Rows matching several communes"),
    "communes_without_stats": ("Xã không có số liệu", "Communes without statistics"),
    "population": ("Dân số", "Population"),
    "stats_households": ("Số hộ", "Households"),
    "stats_outstanding": ("Hồ sơ cần tiếp nhận", "Outstanding applications"),
    # households
    "households_read": ("Số hộ đọc được", "Households read"),
    "with_coordinates": ("Hộ có tọa độ", "Households with coordinates"),
    "with_code": ("Hộ có mã xã", "Households with a commune code"),
    "assigned_by_location": ("Hộ xác định xã theo tọa độ", "Assigned to a commune by location"),
    "assigned_nearest": ("Hộ gán vào xã gần nhất", "Assigned to the nearest commune"),
    "outside_commune": ("Hộ có tọa độ ngoài xã của mình", "Coordinates outside their commune"),
    "outside_district": ("Hộ ngoài huyện (không tính)", "Outside the district (not counted)"),
    "in_excluded": ("Hộ thuộc xã bị loại", "In excluded communes"),
    "aggregated": ("Số hộ được cộng vào nhu cầu", "Households aggregated"),
    "home_visits": ("Hộ cần đến tận nhà", "Households needing a home visit"),
    "outstanding_0_6": ("Hồ sơ cần tiếp nhận 0–6 tuổi", "Outstanding, age 0–6"),
    "outstanding_6_14": ("Hồ sơ cần tiếp nhận 6–14 tuổi", "Outstanding, age 6–14"),
    "outstanding_14_plus": ("Hồ sơ cần tiếp nhận từ 14 tuổi", "Outstanding, 14 and over"),
    # service points
    "mode": ("Cách bố trí điểm", "Placement"),
    "points": ("Số điểm tiếp nhận", "Service points"),
    "radius_km": ("Bán kính cụm cho phép (km)", "Cluster radius allowed (km)"),
    "max_radius_m": ("Khoảng cách xa nhất từ hộ đến điểm (m)", "Farthest household (m)"),
    "small_points": ("Điểm dưới 10 hộ", "Points with under 10 households"),
    # roads
    "road_features": ("Số đoạn đường đọc được", "Road features read"),
    "road_km": ("Tổng chiều dài (km)", "Total length (km)"),
    "nodes": ("Số nút mạng", "Network nodes"),
    "edges": ("Số cạnh mạng", "Network edges"),
    "components": ("Số mạng con rời nhau", "Disconnected parts"),
    "unknown_class": ("Đoạn không rõ cấp đường", "Features of unknown class"),
    "mountain_km": ("Đường trong xã miền núi (km)", "Road in mountain communes (km)"),
    "table_points": ("Số điểm trong bảng thời gian", "Points in the travel table"),
    "snapped_far": ("Điểm cách đường xa", "Points far from a road"),
    "unreachable_pairs": ("Cặp điểm không có đường nối", "Pairs with no road between them"),
    # result
    "district": ("Huyện", "District"),
    "communes": ("Số xã", "Communes"),
    "teams": ("Số tổ", "Teams"),
    "travel_model": ("Cách tính thời gian đi", "Travel model"),
    "households": ("Số hộ", "Households"),
    "outstanding_total": ("Tổng hồ sơ cần tiếp nhận", "Outstanding applications in all"),
    "service_points": ("Số điểm tiếp nhận", "Service points"),
}


#: Notes and message fragments (keys ``load.msg.<key>``).
MESSAGES: dict[str, tuple[str, str]] = {
    # --- files
    "file_missing": (
        "{file}: không tìm thấy tệp (trường {field}; đường dẫn tính từ thư mục của kịch bản)",
        "{file}: file not found (field {field}; paths are relative to the scenario file)",
    ),
    "file_unreadable": (
        "{file}: không đọc được tệp ({detail})",
        "{file}: cannot read the file ({detail})",
    ),
    "file_format": (
        "{file}: định dạng không hỗ trợ; dùng {formats}",
        "{file}: unsupported format; use {formats}",
    ),
    "layer_choose": (
        "{file}: tệp có nhiều lớp ({layers}); ghi rõ lớp cần dùng ở trường {field}",
        "{file}: the file holds several layers ({layers}); name the one to use in field {field}",
    ),
    "layer_missing": (
        "{file}: không có lớp {layer}; các lớp: {layers}",
        "{file}: no layer {layer}; the layers are {layers}",
    ),
    "no_crs": (
        "{file}: tệp không có hệ tọa độ (CRS, ví dụ thiếu tệp .prj); ghi hệ tọa độ vào trường "
        "{field} của kịch bản, ví dụ crs: EPSG:32648 (UTM 48N) hoặc EPSG:4326 (kinh độ, vĩ độ)",
        "{file}: the file has no coordinate reference system (CRS; e.g. the .prj file is "
        "missing); state it in field {field} of the scenario, e.g. crs: EPSG:32648 (UTM 48N) "
        "or EPSG:4326 (longitude/latitude)",
    ),
    "crs_bad": (
        "trường {field}: {crs!r} không phải hệ tọa độ hợp lệ ({detail})",
        "field {field}: {crs!r} is not a valid coordinate reference system ({detail})",
    ),
    "crs_assumed": (
        "{file}: tệp không có hệ tọa độ; dùng {crs} theo kịch bản",
        "{file}: the file has no CRS; {crs} from the scenario is used",
    ),
    "crs_conflict": (
        "{file}: tệp khai báo hệ tọa độ {file_crs}; bỏ qua {crs} trong kịch bản",
        "{file}: the file declares {file_crs}; the scenario's {crs} is ignored",
    ),
    "reprojected": (
        "{file}: chuyển từ {crs} sang EPSG:4326",
        "{file}: reprojected from {crs} to EPSG:4326",
    ),
    "not_degrees": (
        "{file}: tọa độ sau khi chuyển không phải kinh độ/vĩ độ (khung {bounds}); hệ tọa độ "
        "khai báo có thể sai",
        "{file}: the coordinates are not longitude/latitude after reprojection (bounds "
        "{bounds}); the declared CRS is probably wrong",
    ),
    "column_missing": (
        "{file}: thiếu cột {column} (trường {field}); các cột có: {columns}",
        "{file}: no column {column} (field {field}); the columns are {columns}",
    ),
    "select_column": (
        "trường district.select: tệp {file} không có cột {column}",
        "field district.select: {file} has no column {column}",
    ),
    "select_empty": (
        "{file}: không có đối tượng nào thỏa district.select ({select}); ví dụ giá trị của "
        "cột {column}: {examples}",
        "{file}: no feature satisfies district.select ({select}); values of column {column} "
        "include {examples}",
    ),
    "not_utf8": (
        "{file}: không phải UTF-8; đã đọc theo bảng mã Windows-1258. Nên lưu lại là CSV UTF-8",
        "{file}: not UTF-8; read as Windows-1258. Better save it as CSV UTF-8",
    ),
    # --- boundaries
    "feature_no_code": (
        "{file}, đối tượng {row}, trường {field}: thiếu mã xã",
        "{file}, feature {row}, field {field}: the commune code is missing",
    ),
    "feature_no_name": (
        "{file}, đối tượng {row} ({code}), trường {field}: thiếu tên xã",
        "{file}, feature {row} ({code}), field {field}: the commune name is missing",
    ),
    "feature_dup_code": (
        "{file}, đối tượng {row}, trường {field}: mã {code!r} đã có ở đối tượng {first}",
        "{file}, feature {row}, field {field}: {code!r} appears twice (also feature {first})",
    ),
    "feature_no_geometry": (
        "{file}, đối tượng {row} ({code}): không có hình học",
        "{file}, feature {row} ({code}): empty geometry",
    ),
    "feature_not_polygon": (
        "{file}, đối tượng {row} ({code}): hình học là {kind}, không phải vùng",
        "{file}, feature {row} ({code}): the geometry is a {kind}, not a polygon",
    ),
    "feature_terrain": (
        "{file}, đối tượng {row}, trường {field}: {value!r} không phải plain (đồng bằng) hay "
        "mountain (miền núi)",
        "{file}, feature {row}, field {field}: {value!r} is not plain or mountain",
    ),
    "feature_number": (
        "{file}, đối tượng {row}, trường {field}: {value!r} không phải là số",
        "{file}, feature {row}, field {field}: {value!r} is not a number",
    ),
    "repaired": (
        "{file}: đã sửa hình học không hợp lệ của {n} xã ({names}); giữ phần vùng",
        "{file}: repaired the invalid geometry of {n} commune(s) ({names}); polygonal parts kept",
    ),
    "multipart": (
        "{n} xã gồm nhiều mảnh (đảo hoặc mảnh rời): {names}",
        "{n} commune(s) in several parts (islands or exclaves): {names}",
    ),
    "terrain_defaulted": (
        "{n} xã không có địa hình trong tệp: lấy {terrain} ({source})",
        "{n} commune(s) have no terrain in the file: {terrain} ({source})",
    ),
    "sp_households": (
        "{n} xã không có điểm tiếp nhận trong tệp: đặt tại cụm hộ đông nhất",
        "{n} commune(s) have no service point in the file: placed at the densest household cluster",
    ),
    "sp_representative": (
        "{n} xã không có điểm tiếp nhận trong tệp và không có tọa độ hộ: đặt tại điểm đại diện "
        "bên trong ranh giới xã ({names})",
        "{n} commune(s) have no service point in the file and no household coordinates: placed "
        "at a representative point inside the commune ({names})",
    ),
    "sp_outside": (
        "{file}, đối tượng {row} ({name}): điểm tiếp nhận cách ranh giới xã {km} km",
        "{file}, feature {row} ({name}): the service point lies {km} km outside the commune",
    ),
    "exclude_unknown": (
        "trường exclude_communes: {codes} không có trong {file}",
        "field exclude_communes: {codes} not in {file}",
    ),
    "outline_union": (
        "Không có tệp ranh giới huyện: ranh giới huyện là hợp của các xã",
        "No district boundary file: the district outline is the union of the communes",
    ),
    "boundary_count": (
        "{file}: cần đúng một đối tượng huyện, có {n}; dùng district.select hoặc bỏ trường "
        "boundary",
        "{file}: expected exactly one district feature, found {n}",
    ),
    "base_missing": (
        "Chưa có trụ sở Công an huyện: ghi district.base (mã xã hoặc {{lon, lat}}) trong kịch bản "
        "hoặc cột base_lon/base_lat trong tệp ranh giới huyện",
        "No district police base: give district.base (a commune code or {{lon, lat}}) in the "
        "scenario, or base_lon/base_lat in the district boundary file",
    ),
    "base_unknown": (
        "trường district.base: mã xã {code!r} không có trong dữ liệu xã",
        "field district.base: commune code {code!r} is not in the commune data",
    ),
    "base_outside": (
        "Trụ sở Công an huyện cách ranh giới huyện {km} km",
        "The district police base lies {km} km outside the district outline",
    ),
    "name_missing": (
        "Chưa có tên huyện: ghi district.name trong kịch bản hoặc cột name trong tệp ranh giới",
        "No district name: give district.name in the scenario or a name in the boundary file",
    ),
    # --- statistics
    "stats_no_header": (
        "{file}: không tìm thấy dòng tiêu đề có cột mã hoặc tên xã và cột số liệu trong 15 dòng "
        "đầu; đặt tên cột theo tài liệu hoặc ghi stats.columns",
        "{file}: no header row with a commune code or name column and figures in the first 15 "
        "rows; name the columns as documented or map them in stats.columns",
    ),
    "stats_clash": (
        "{file}: nhiều cột có thể là {field} ({columns}); chỉ rõ trong trường {spec}",
        "{file}: several columns could be {field} ({columns}); name one in field {spec}",
    ),
    "stats_no_key": (
        "{file}: không có cột mã xã hay tên xã để ghép (trường {spec})",
        "{file}: no commune code or name column to join on (field {spec})",
    ),
    "stats_no_bands": (
        "{file}: không có cột hồ sơ cần tiếp nhận theo độ tuổi (0-6 tuổi, 6-14 tuổi, từ 14 tuổi)",
        "{file}: no column of outstanding applications by age (0-6, 6-14, 14 and over)",
    ),
    "stats_columns": (
        "{file}: cột nhận được: {columns}",
        "{file}: columns recognised: {columns}",
    ),
    "column_as": ("{header} → {field}", "{header} → {field}"),
    "stats_bad_number": (
        "{file}, dòng {row}, cột {column}: {value!r} không phải số nguyên ≥ 0",
        "{file}, row {row}, column {column}: {value!r} is not a whole number ≥ 0",
    ),
    "stats_blank": (
        "{file}: {n} ô hồ sơ để trống được tính là 0",
        "{file}: {n} blank application cell(s) read as 0",
    ),
    "stats_total_row": (
        "{file}, dòng {row}: dòng tổng cộng được bỏ qua{check}",
        "{file}, row {row}: total row skipped{check}",
    ),
    "stats_total_ok": ("; khớp với tổng các dòng", "; it equals the sum of the rows"),
    "stats_total_diff": (
        "; KHÔNG khớp với tổng các dòng ({total} so với {sum})",
        "; it does NOT equal the sum of the rows ({total} against {sum})",
    ),
    "stats_unmatched": (
        "{file}, dòng {row}: {by} {value!r} không khớp xã nào{hint}",
        "{file}, row {row}: {by} {value!r} matches no commune{hint}",
    ),
    "stats_hint": ("; gần giống: {names}", "; did you mean: {names}"),
    "stats_ambiguous": (
        "{file}, dòng {row}: tên {value!r} khớp nhiều xã ({names}); ghi đủ tiền tố (Xã, Phường, "
        "Thị trấn) hoặc ghép theo mã",
        "{file}, row {row}: name {value!r} matches several communes ({names}); write the unit "
        "(Xã, Phường, Thị trấn) or join by code",
    ),
    "stats_duplicate": (
        "{file}, dòng {row}: {name} đã có ở dòng {first}",
        "{file}, row {row}: {name} already given in row {first}",
    ),
    "stats_missing": (
        "{n} xã không có số liệu, coi như không có hồ sơ cần tiếp nhận: {names}",
        "{n} commune(s) have no statistics and count as having no outstanding applications: "
        "{names}",
    ),
    "stats_ignored": (
        "Hồ sơ cần tiếp nhận lấy từ sổ hộ; bảng số liệu xã chỉ dùng để đối chiếu (bảng: {stats}, "
        "sổ hộ: {registry})",
        "Outstanding applications come from the household registry; the statistics are for "
        "comparison only (statistics: {stats}, registry: {registry})",
    ),
    "no_demand": (
        "Không có sổ hộ hay bảng số liệu: mọi xã coi như không có hồ sơ cần tiếp nhận",
        "Neither a household registry nor statistics: no commune has outstanding applications",
    ),
    # --- households
    "hh_columns_missing": (
        "{file}: thiếu cột {columns}; các cột có: {present} (đặt tên cột trong households.columns)",
        "{file}: missing column(s) {columns}; the columns are {present} (map them in "
        "households.columns)",
    ),
    "hh_no_location": (
        "{file}: cần cột mã xã (commune_code) hoặc tọa độ (lon, lat)",
        "{file}: needs a commune code column (commune_code) or coordinates (lon, lat)",
    ),
    "hh_bad_value": (
        "{file}, dòng {row}, trường {field}: {value!r} không phải {what}",
        "{file}, row {row}, field {field}: {value!r} is not {what}",
    ),
    "hh_more_than_children": (
        "{file}, dòng {row}, trường {field}: nhiều hơn {other}",
        "{file}, row {row}, field {field}: more than {other}",
    ),
    "hh_bad_coords": (
        "{file}, dòng {row}, trường lon/lat: tọa độ ngoài phạm vi",
        "{file}, row {row}, fields lon/lat: coordinates out of range",
    ),
    "hh_unknown_code": (
        "{file}, dòng {row}, trường commune_code: {value!r} không phải xã trong tệp ranh giới",
        "{file}, row {row}, field commune_code: {value!r} is not a commune in the boundary file",
    ),
    "hh_no_place": (
        "{file}, dòng {row}: không có mã xã và không có tọa độ",
        "{file}, row {row}: neither a commune code nor coordinates",
    ),
    "hh_duplicate_ids": (
        "{file}: {n} mã hộ bị trùng (dòng {rows})",
        "{file}: {n} household id(s) appear more than once (rows {rows})",
    ),
    "hh_more": (
        "{file}: còn {n} lỗi khác cùng loại",
        "{file}: {n} more problem(s) of these kinds",
    ),
    "hh_outside_commune": (
        "{n} hộ có tọa độ ngoài xã ghi trong sổ (quá {tol} m); vẫn tính vào xã ghi trong sổ, "
        "không dùng tọa độ để đặt điểm. Ví dụ: {examples}",
        "{n} household(s) have coordinates outside their registered commune (by more than "
        "{tol} m); they count for the registered commune but their coordinates are not used "
        "to place points. For example: {examples}",
    ),
    "hh_outside_example": (
        "dòng {row} ({code}, cách {km} km)",
        "row {row} ({code}, {km} km away)",
    ),
    "hh_nearest": (
        "{n} hộ chỉ có tọa độ nằm sát ngoài ranh giới (≤ {tol} m) được gán vào xã gần nhất",
        "{n} household(s) with coordinates just outside every commune (≤ {tol} m) were assigned "
        "to the nearest commune",
    ),
    "hh_outside_district": (
        "{n} hộ chỉ có tọa độ nằm ngoài mọi xã (quá {tol} m) không được tính ({apps} hồ sơ). "
        "Ví dụ dòng: {rows}",
        "{n} household(s) with coordinates outside every commune (by more than {tol} m) are not "
        "counted ({apps} applications). For example rows: {rows}",
    ),
    "hh_excluded": (
        "{n} hộ thuộc các xã bị loại khỏi kế hoạch",
        "{n} household(s) belong to communes excluded from the plan",
    ),
    "hh_no_coords_for_points": (
        "{n} hộ không có tọa độ dùng được: tính vào điểm tiếp nhận lớn nhất của xã",
        "{n} household(s) have no usable coordinates: counted at their commune's largest point",
    ),
    "hh_no_village": (
        "{n} hộ không ghi thôn: tính vào thôn gần nhất (hoặc thôn lớn nhất nếu không có tọa độ)",
        "{n} household(s) name no village: counted at the nearest village (or the largest one "
        "without coordinates)",
    ),
    "villages_fallback": (
        "Sổ hộ không có cột thôn: gom hộ thành cụm theo tọa độ",
        "The registry has no village column: households are grouped into spatial clusters",
    ),
    "village_no_coords": (
        "{n} thôn không có hộ nào có tọa độ: đặt tại điểm tiếp nhận của xã ({names})",
        "{n} village(s) have no household with coordinates: placed at the commune's service "
        "point ({names})",
    ),
    "points_need_registry": (
        "service_points: {mode} cần sổ hộ; dùng một điểm mỗi xã",
        "service_points: {mode} needs a household registry; one point per commune is used",
    ),
    "points_made": (
        "{points} điểm tiếp nhận trong {communes} xã ({mode}); hộ xa điểm nhất cách {far} m",
        "{points} service points in {communes} communes ({mode}); the farthest household is "
        "{far} m from its point",
    ),
    # --- roads
    "roads_not_lines": (
        "{file}: lớp đường phải là đường (LineString), có {kinds}",
        "{file}: the road layer must hold lines (LineString); it holds {kinds}",
    ),
    "roads_empty": (
        "{file}: không có đoạn đường nào dùng được",
        "{file}: no usable road",
    ),
    "roads_no_speed": (
        "{file}: cần cột tốc độ (travel.speed_column) hoặc cột cấp đường (travel.class_column); "
        "các cột có: {columns}",
        "{file}: needs a speed column (travel.speed_column) or a class column "
        "(travel.class_column); the columns are {columns}",
    ),
    "roads_bad_speed": (
        "{file}: {n} đoạn có tốc độ không hợp lệ ở cột {column}, dùng tốc độ theo cấp đường "
        "hoặc {kmh} km/h",
        "{file}: {n} feature(s) have an invalid speed in column {column}; the class speed or "
        "{kmh} km/h is used",
    ),
    "roads_unknown_class": (
        "{file}: {n} đoạn có cấp đường chưa biết ({classes}); đi với {kmh} km/h. Thêm vào "
        "travel.speeds nếu cần",
        "{file}: {n} feature(s) of unknown class ({classes}) are driven at {kmh} km/h; add them "
        "to travel.speeds if needed",
    ),
    "roads_mountain": (
        "{km} km đường trong xã miền núi: tốc độ nhân {factor}",
        "{km} km of road in mountain communes: speed × {factor}",
    ),
    "roads_far": (
        "{name}: điểm tiếp nhận cách đường {km} km, thêm {minutes} phút",
        "{name}: the service point is {km} km from a road, {minutes} more minutes",
    ),
    "roads_unreachable": (
        "{name}: không có đường nối tới {others}",
        "{name}: no road connects it with {others}",
    ),
    "roads_unreachable_more": (
        "… và {n} điểm khác không có đường nối",
        "… and {n} more points without a road connection",
    ),
    "roads_components": (
        "Mạng đường gồm {n} phần rời nhau; phần lớn nhất có {share} nút",
        "The road network has {n} disconnected parts; the largest holds {share} of the nodes",
    ),
    "osm_read": (
        "{file}: {ways} tuyến đường OSM, {skipped} tuyến không dành cho xe (bỏ qua)",
        "{file}: {ways} OSM ways, {skipped} not for motor vehicles (skipped)",
    ),
    "travel_table": (
        "Bảng thời gian đi theo mạng đường: {points} điểm, thời gian làm tròn lên phút",
        "Road-network travel table: {points} points, minutes rounded up",
    ),
    # --- plausibility, empty inputs and reach
    "no_communes_left": (
        "{file}: không còn xã nào để lập kế hoạch sau khi lọc (trường {field})",
        "{file}: no commune is left to plan after the selection (field {field})",
    ),
    "hh_empty": (
        "{file}: sổ hộ chỉ có dòng tiêu đề, không có dòng hộ nào",
        "{file}: the household registry has a header row but no household row below it",
    ),
    "hh_implausible": (
        "{file}, dòng {row}, trường {field}: {value} hồ sơ cho một hộ là không hợp lý "
        "(tối đa {most}); kiểm tra lại số (dấu chấm là dấu phân cách hàng nghìn)",
        "{file}, row {row}, field {field}: {value} applications in one household is not "
        "plausible (at most {most}); check the number (a dot separates thousands)",
    ),
    "hh_total_rows": (
        "{file}: {n} dòng tổng cộng được bỏ qua (dòng {rows})",
        "{file}: {n} total row(s) skipped (rows {rows})",
    ),
    "band_missing": (
        "{file}: không có cột {bands}; các hồ sơ đó được tính là 0",
        "{file}: no column for {bands}; those applications count as 0",
    ),
    "stats_implausible": (
        "{file}, dòng {row}, cột {column}: {value} vượt quá mức hợp lý cho một xã (tối đa {most})",
        "{file}, row {row}, column {column}: {value} is beyond what one commune can have "
        "(at most {most})",
    ),
    "stats_over_population": (
        "{file}, dòng {row}: {what} ({value}) nhiều hơn dân số ({population})",
        "{file}, row {row}: {what} ({value}) exceed the population ({population})",
    ),
    "window_too_short": (
        "trường campaign.{kind}: giờ tiếp nhận {start}–{end} ({minutes} phút) quá ngắn để "
        "phục vụ ai (bày máy {setup} phút, một hồ sơ ít nhất {per} phút)",
        "field campaign.{kind}: the reception window {start}–{end} ({minutes} min) is too "
        "short to serve anyone (setting up takes {setup} min, one application at least {per})",
    ),
    "base_at_zero": (
        "trường {field}: kinh độ 0, vĩ độ 0 nằm ngoài biển, xa Việt Nam; tọa độ có lẽ bị bỏ "
        "trống (ô trống thường được đọc thành 0)",
        "field {field}: lon 0, lat 0 lies at sea, far from Vietnam; the coordinates were "
        "probably left blank (a blank cell is often read as 0)",
    ),
    "team_reaches_nothing": (
        "trường teams[{i}].base: tổ {team} không tới được điểm tiếp nhận nào trong một buổi "
        "làm việc (điểm gần nhất cách {km} km); kiểm tra trụ sở của tổ",
        "field teams[{i}].base: team {team} can reach no service point within a working day "
        "(the nearest is {km} km away); check the team's base",
    ),
}
