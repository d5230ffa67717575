"""Reports: a query builds a typed context; renderers turn it into Markdown, HTML, JSON, charts.

The pattern every report follows (the quality report today; the cadence reports, the executive
dashboard and the assembly report next):

- **Context** — a pydantic model (or frozen dataclass) of data only: numbers, names, rows; no
  rendering, no I/O. It is the JSON twin of every page: `render(context, "json")` is the same data
  the Markdown and HTML show. A context may be a type from a lower layer: the quality report's is
  `checks.report.QualityReport`, the engine's own result.
- **Query** — a plain function in the report's module that builds the context from records:
  `query(session, ..., *, params) -> Context`. It reads the store (repositories, blobs), check
  results and metrics; it never writes and never calls a flow. A context made by a run (the checks
  engine's report) needs no query to be rendered.
- **Templates** — `reports/templates/<name>.md` and `<name>.html` (Jinja2; HTML autoescaped,
  Markdown not), rendered with the context as `report` plus the spec's helpers. HTML pages extend
  `_base.html`; the web dashboard (issue 18) serves these same pages, so a page and its JSON twin
  come from one query.
- **Charts** — functions `context -> Vega-Lite spec` (a dict; JSON text via `render_chart`), so a
  chart is data a browser draws, with no plotting library on the server.
- **Spec** — one `ReportSpec` (name, context type, template stem, helpers, charts) per report, listed
  in `registry.py`; `render(context, format)` finds the spec by the context's type.

A new report is: one module here (context, query, spec, chart functions), its two templates, one line
in `registry.py`, and its tests under tests/reports/.

Layering (pyproject.toml, import-linter): `reports` is its own layer, below `flows` and above
`store | checks | metrics`. Queries therefore take a `Session` (and a `BlobStore` where they read
stored objects) and read repositories directly; callers above — the CLI, the API, the web pages, the
demo, and flows that send a report (a Monday sync posted to a channel) — open the workspace and pass
them in. The checks engine never imports reports: it returns its context, and the caller renders it.
The JSON of a stored record (the quality report's `to_json()`, hashed and kept as a blob) stays on the
record's model; `render(..., "json")` gives the same bytes (a test pins it).
"""
