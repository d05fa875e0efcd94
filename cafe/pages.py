"""Pages that belong to no feature: the start page, accessibility and privacy statements."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

bp = Blueprint("pages", __name__)


@bp.route("/")
def home():
    """Organisers go to their events; everyone else sees what Café is."""
    if current_user.is_authenticated:
        return redirect(url_for("events.index"))
    return render_template("pages/home.html")


@bp.route("/accessibility")
def accessibility():
    """The accessibility statement."""
    return render_template("pages/accessibility.html")


@bp.route("/privacy")
def privacy():
    """How Café treats personal data and case studies."""
    return render_template("pages/privacy.html")
