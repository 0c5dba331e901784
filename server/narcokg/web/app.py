"""The Flask application: one blueprint per concern, over one read-only store."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from narcokg.config import Settings, load_settings

#: Templates and static files belong to the presentation room.
HTML = Path(__file__).resolve().parent.parent / "html"


def create_app(settings: Settings | None = None, engine=None) -> Flask:
    """Build the WSGI app over ``engine`` (default: the embedded engine on the snapshot named by
    ``settings``)."""
    from narcokg.web import cite
    from narcokg.web import fragments
    from narcokg.web import linkeddata
    from narcokg.web import openapi
    from narcokg.web import pages
    from narcokg.web import querypage
    from narcokg.web import searchpage
    from narcokg.web import selfdescription
    from narcokg.web import shacl
    from narcokg.web import sparql
    from narcokg.web import middleware as web
    from narcokg.engine.embedded import EmbeddedEngine
    from narcokg.web.context import template_globals

    settings = settings or load_settings()
    app = Flask(__name__, template_folder=str(HTML / "templates"), static_folder=str(HTML / "static"))
    app.config["NARCOKG"] = settings
    app.extensions["narcokg.engine"] = engine if engine is not None else EmbeddedEngine.for_serving(settings)
    web.install(app)
    app.context_processor(template_globals)
    app.register_blueprint(sparql.blueprint)
    app.register_blueprint(querypage.blueprint)
    app.register_blueprint(selfdescription.blueprint)
    app.register_blueprint(linkeddata.blueprint)
    app.register_blueprint(pages.blueprint)
    app.register_blueprint(searchpage.blueprint)
    app.register_blueprint(shacl.blueprint)
    app.register_blueprint(fragments.blueprint)
    app.register_blueprint(openapi.blueprint)
    app.register_blueprint(cite.blueprint)
    return app
