"""The Flask application: one blueprint per concern, over one read-only store."""
from __future__ import annotations

from flask import Flask

from .config import Settings, load_settings


def create_app(settings: Settings | None = None, store=None) -> Flask:
    """Build the WSGI app. ``store`` defaults to the snapshot named by ``settings``."""
    from . import fragments, linkeddata, pages, shacl, sparql, web
    from .store import Store

    settings = settings or load_settings()
    app = Flask(__name__)
    app.config["NARCOKG"] = settings
    app.extensions["narcokg.store"] = store if store is not None else Store(settings.nquads)
    web.install(app)
    app.register_blueprint(sparql.blueprint)
    app.register_blueprint(linkeddata.blueprint)
    app.register_blueprint(pages.blueprint)
    app.register_blueprint(shacl.blueprint)
    app.register_blueprint(fragments.blueprint)
    return app
