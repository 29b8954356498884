"""Finance pages: summary, authority drill-down, profile history, ledger, forecasts, downloads.

The blueprint lives here, below both modules that add routes to it (views.py for the
pages people read, views_changes.py for finance's forms).
"""

from flask import Blueprint

bp = Blueprint("finance", __name__, template_folder="templates")
