"""The organization settings page (administrators): the classification label and logo printed on PDFs.

Its routes join the exports blueprint (app/exports/views.py imports this module).
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, StringField
from wtforms.validators import InputRequired, Length

from app.auth.context import require_admin
from app.core.forms import NoControlCharacters
from app.exports import branding
from app.exports.logo import MAX_LOGO_BYTES, LogoRejected, check_logo
from app.exports.views import bp
from app.extensions import db


class OrganizationSettingsForm(FlaskForm):
    classification_label = StringField(
        "Classification label",
        description="Printed on every PDF cover and page footer, for example OFFICIAL, PUBLIC or INTERNAL USE ONLY.",
        validators=[
            InputRequired("Enter a classification label, for example OFFICIAL."),
            Length(max=branding.MAX_LABEL, message=f"Use at most {branding.MAX_LABEL} characters."),
            NoControlCharacters(),
        ],
    )
    logo = FileField(
        "Logo for PDF covers (optional)",
        description=f"A PNG or SVG file of at most {MAX_LOGO_BYTES // 1024} KB. SVG files are cleaned: scripts, "
        "styles, embedded HTML and links to other files are removed.",
    )
    remove_logo = BooleanField("Remove the current logo")


@bp.route("/admin/organization", methods=["GET", "POST"])
def organization_settings():  # type: ignore[no-untyped-def]
    organization = require_admin()
    form = OrganizationSettingsForm(classification_label=organization.classification_label)
    status = 200
    if form.validate_on_submit():
        upload = form.logo.data
        try:
            logo = None
            filename = str(getattr(upload, "filename", None) or "")
            if upload is not None and filename:
                logo = check_logo(upload.read(MAX_LOGO_BYTES + 1), filename)
            changed = branding.save_branding(
                organization,
                user=current_user,
                classification_label=form.classification_label.data or "",
                logo=logo,
                filename=filename,
                remove_logo=bool(form.remove_logo.data),
            )
        except LogoRejected as exc:
            db.session.rollback()
            form.logo.errors = [str(exc)]
            status = 422
        except branding.SettingsError as exc:
            db.session.rollback()
            form.classification_label.errors = [str(exc)]
            status = 422
        else:
            db.session.commit()
            message = "Saved the organization settings." if changed else "Nothing had changed, so nothing was saved."
            flash(message, "success")
            return redirect(url_for("exports.organization_settings"))
    elif form.errors:
        status = 422
    return (
        render_template(
            "auth/org_settings.html", form=form, organization=organization, logo=branding.current_logo(organization)
        ),
        status,
    )
