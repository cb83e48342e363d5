"""Exchange formats: what leaves the review store for other tools, and what comes back.

- `export`: approved (or all) segments as TMX 1.4, TSV or JSONL (`export_segments`).
- `xliff`: XLIFF 2.0 export with segment states, and re-import of a file edited in a
  CAT tool (`export_xliff`, `import_xliff`).
- `formats`: the one registry of export formats (`FORMATS`, `write_export`), used by the
  `export` command and the Export page.

Importing this package is cheap: translate-toolkit and lxml load only when a file is
written or read.
"""

from workbench.exchange.export import (
    ExportError,
    ExportRow,
    UnknownDocument,
    collect_segments,
    export_segments,
    read_tsv,
    resolve_documents,
)
from workbench.exchange.formats import FORMATS, ExportedFile, ExportFormat, export_format, write_export
from workbench.exchange.xliff import (
    ImportResult,
    SkippedUnit,
    XliffImportError,
    export_xliff,
    export_xliff_by_pair,
    import_xliff,
    state_to_status,
    status_to_state,
)

__all__ = [
    "FORMATS", "ExportError", "ExportFormat", "ExportRow", "ExportedFile", "ImportResult", "SkippedUnit",
    "UnknownDocument", "XliffImportError", "collect_segments", "export_format", "export_segments",
    "export_xliff", "export_xliff_by_pair", "import_xliff", "read_tsv", "resolve_documents",
    "state_to_status", "status_to_state", "write_export",
]
