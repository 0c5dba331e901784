"""Placeholder: replaced by its issue's work."""
from flask import Blueprint

blueprint = Blueprint("shacl", __name__)
