"""Planning pages: rules, the plan (grid, per table, figures), planning jobs and hand edits."""

from __future__ import annotations

from cafe.rotation.views import bp  # noqa: F401
