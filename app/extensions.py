"""Unbound extension objects; ``create_app`` binds them to the application."""

from typing import TYPE_CHECKING

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from app.core.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
csrf = CSRFProtect()
login_manager = LoginManager()
# Limits only what names a limit (the JSON API, app/api/rate_limit.py); storage and settings come from config.
limiter = Limiter(key_func=get_remote_address)

if TYPE_CHECKING:
    Model = Base  # db.Model is built at run time; type checkers see the declarative base
else:
    Model = db.Model
