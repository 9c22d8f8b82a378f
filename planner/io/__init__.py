"""Real data in: commune boundaries, statistics, household registries and road networks.

Readers take the formats district police hold (GeoJSON, GeoPackage, Shapefile, CSV, XLSX,
Parquet, OpenStreetMap extracts), check them, and say what they read in a load report
(:mod:`planner.io.report`), in Vietnamese or English. ``planner validate`` prints that report.
"""
