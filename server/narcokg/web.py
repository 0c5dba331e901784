"""Cross-cutting HTTP behaviour: health, security headers, error pages (one place)."""
from __future__ import annotations

from flask import Flask, jsonify


def install(app: Flask) -> None:
    @app.get("/health")
    def health():
        store = app.extensions["narcokg.store"]
        return jsonify(status="ok", quads=len(store))
