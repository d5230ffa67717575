"""The dashboard's pages, one module per pool: each a `router` and its `POLICY`."""

from __future__ import annotations

from dataflywheel.web.pages import annotation, executive, login
from dataflywheel.web.pages import data, experiments
from dataflywheel.web.pages import audit, demand, feedback, inbox, issues, plan

PAGES = (login, executive, annotation, data, experiments, demand, issues, feedback, plan, audit,
         inbox)
