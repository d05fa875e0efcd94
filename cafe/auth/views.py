"""Sign in and sign out for organisers."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from cafe.auth import services
from cafe.auth.forms import LoginForm
from cafe.auth.models import Organiser
from cafe.extensions import db, login_manager

bp = Blueprint("auth", __name__, template_folder="templates")

login_manager.login_view = "auth.login"
login_manager.login_message = "Sign in to see this page."
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"


@login_manager.user_loader
def load_organiser(organiser_id: str) -> Organiser | None:
    """The signed-in organiser, from the session."""
    return db.session.get(Organiser, int(organiser_id)) if organiser_id.isdigit() else None


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths: a login link must not bounce people to another site."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _throttle() -> services.Throttle:
    cfg = current_app.config
    return services.Throttle(
        per_email=cfg["LOGIN_MAX_FAILURES"],
        per_address=cfg["LOGIN_MAX_FAILURES_PER_ADDRESS"],
        window=cfg["LOGIN_THROTTLE_WINDOW"],
    )


@bp.route("/sign-in", methods=["GET", "POST"])
def login():
    """Sign an organiser in."""
    if current_user.is_authenticated:
        return redirect(url_for("events.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            organiser = services.authenticate(
                form.email.data, form.password.data, request.remote_addr or "unknown", _throttle()
            )
        except services.LoginThrottled as err:
            db.session.commit()
            form.form_errors.append(str(err))
            status = 429
        else:
            db.session.commit()
            if organiser is not None:
                login_user(organiser)
                flash(f"Signed in as {organiser.name}.", "success")
                return redirect(_safe_next(request.args.get("next")) or url_for("events.index"))
            # One message for a wrong email and a wrong password: no account enumeration.
            form.email.errors.append("Enter a correct email address and password")
            status = 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/sign-out", methods=["POST"])
@login_required
def logout():
    """Sign out (a POST, so a link elsewhere cannot sign people out)."""
    logout_user()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))
