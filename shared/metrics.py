"""The domain metrics operators watch; faststream's middleware adds the per-message ones."""

from prometheus_client import Counter, Gauge, Histogram

ROWS = Counter(
    "customer_import_rows",
    "Rows by the stage that decided them and their outcome (each row counted once per stage).",
    ["stage", "outcome"],
)
ROW_ERRORS = Counter(
    "customer_import_row_errors",
    "Problems found in rows that were not imported, by machine code.",
    ["code"],
)
IMPORTS_FINISHED = Counter(
    "customer_import_imports_finished",
    "Imports that reached a final status.",
    ["status"],
)
IMPORT_PROGRESS = Gauge(
    "customer_import_progress_ratio",
    "Share of an in-flight import's rows that have their outcome (removed when it finishes).",
    ["import_id"],
)
ERROR_FILE_BYTES = Histogram(
    "customer_import_error_file_bytes",
    "Size of the error files written.",
    buckets=(1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9),
)
