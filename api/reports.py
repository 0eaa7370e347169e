"""Case lists, SLA (overdue work) and dashboards: reads over the worklist projection."""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("reports", __name__, url_prefix="/api/v1", description="Case lists, SLA")
