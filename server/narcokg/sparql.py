"""Placeholder: replaced by its issue's work."""
from flask import Blueprint

blueprint = Blueprint("sparql", __name__)
