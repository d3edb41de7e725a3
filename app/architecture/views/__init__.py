"""Architecture pages: the shared-services catalogue, standards, principles, and an initiative's ties and
answers (forms posted from the architecture panel of the initiative page).

Each view loads (404 for another organization's object), authorizes (403 for readers), validates, calls one
service, commits once and redirects; a refused form is shown again, with what was typed, with status 422.
"""

from __future__ import annotations

from app.architecture import blocks as _blocks  # noqa: F401 - registers the live blocks
from app.architecture.views import catalogue, initiative, principles, standards  # noqa: F401 - they add routes to bp
from app.architecture.views.shared import bp

__all__ = ["bp"]
