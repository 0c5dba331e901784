"""The Flask application: one blueprint per concern, over one read-only store."""
from __future__ import annotations

from pathlib import Path

from flask import Flask

from narcokg.config import Settings, load_settings

#: Templates and static files belong to the presentation room.
HTML = Path(__file__).resolve().parent.parent / "html"


def create_app(settings: Settings | None = None, store=None) -> Flask:
    """Build the WSGI app. ``store`` defaults to the snapshot named by ``settings``."""
    from narcokg.web import linkeddata
    from narcokg.web import openapi
    from narcokg.web import pages
    from narcokg.web import shacl
    from narcokg.web import sparql
    from narcokg.web import middleware as web
    from narcokg.engine.store import Store

    settings = settings or load_settings()
    app = Flask(__name__, template_folder=str(HTML / "templates"), static_folder=str(HTML / "static"))
    app.config["NARCOKG"] = settings
    app.extensions["narcokg.engine.store"] = store if store is not None else Store(settings.nquads)
    web.install(app)
    app.register_blueprint(sparql.blueprint)
    app.register_blueprint(linkeddata.blueprint)
    app.register_blueprint(pages.blueprint)
    app.register_blueprint(shacl.blueprint)
    app.register_blueprint(openapi.blueprint)
    return app
