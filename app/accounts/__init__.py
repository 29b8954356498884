"""Accounts: signing in, users and their roles, the audit log.

The blueprint lives here, below both modules that add routes to it (views.py for signing in
and the audit log, views_admin.py for user administration).
"""

from flask import Blueprint

bp = Blueprint("accounts", __name__, template_folder="templates")
