"""The dashboard's pages, one module per pool: each a `router` and its `POLICY`."""

from __future__ import annotations

from dataflywheel.web.pages import annotation, executive, login
from dataflywheel.web.pages import data, experiments

PAGES = (login, executive, annotation, data, experiments)
