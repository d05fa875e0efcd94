"""Sheets of the plan, for organisers (print and PDF), and each guest's itinerary page."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("sheets", __name__, template_folder="templates")
