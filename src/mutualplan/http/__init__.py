"""Cross-cutting HTTP layers every shell shares (API, pages, live streams): input cleaning,
database availability, search-engine headers, log redaction. Middleware and filters only; no
domain rules."""
