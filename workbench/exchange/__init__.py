"""Exchange formats: what leaves the review store for other tools, and what comes back.

- `export`: approved (or all) segments as TMX 1.4, TSV or JSONL (`export_segments`).
- `xliff`: XLIFF 2.0 export with segment states, and re-import of a file edited in a
  CAT tool (`export_xliff`, `import_xliff`).
- `cli`: the `export` and `import-xliff` subcommands (and `evaluate`).

Importing this package is cheap: translate-toolkit and lxml load only when a file is
written or read.
"""

from workbench.exchange.export import (
    FORMATS,
    ExportError,
    ExportRow,
    UnknownDocument,
    collect_segments,
    export_segments,
    read_tsv,
    resolve_documents,
)
from workbench.exchange.xliff import (
    ImportResult,
    SkippedUnit,
    XliffImportError,
    export_xliff,
    import_xliff,
    state_to_status,
    status_to_state,
)

__all__ = [
    "FORMATS", "ExportError", "ExportRow", "ImportResult", "SkippedUnit", "UnknownDocument",
    "XliffImportError", "collect_segments", "export_segments", "export_xliff", "import_xliff",
    "read_tsv", "resolve_documents", "state_to_status", "status_to_state",
]
