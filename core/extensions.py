"""Flask extensions, created unbound here and bound to each app in ``create_app``."""
from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_login import LoginManager
from flask_wtf import CSRFProtect

from core.db import db

login_manager = LoginManager()
babel = Babel()
csrf = CSRFProtect()
bootstrap = Bootstrap5()

__all__ = ["db", "login_manager", "babel", "csrf", "bootstrap"]
