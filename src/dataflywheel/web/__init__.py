"""The web dashboard: server-rendered pages over the team server's people, tokens and rules.

`site.create_site` is the team server with its pages; `pages/` holds one module per pool (each a
`router` and its `POLICY`, the same rules the API routes use), `templates/` their Jinja2
templates, `static/` the stylesheet, the chart script and the vendored Vega builds. Pages work
without script: forms and links are plain HTML, and each chart's data is also a table.
"""
