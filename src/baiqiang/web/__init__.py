"""The web app (``baiqiang serve``): browse rankings, profiles, compare, map, import and review.

FastAPI with Jinja2 pages and htmx; the browser runtime (htmx, Vega) is
vendored into ``static/vendor`` (see ``assets/vendor.py``).  The layers:

``settings``   what the server is told (store, framework, limits)
``database``   one serialised DuckDB writer, concurrent readers, background jobs
``model``      rankings, profiles, comparisons and the methodology read from the store
``auth``       users, argon2 hashes, sessions, CSRF, login rate limiting
``uploads``    size limit and content sniffing of uploaded files
``tables``     CSV/XLSX downloads with formula cells escaped
``api``        JSON API under ``/api/v1`` (one error shape)
``pages``      the HTML pages
``app``        assembles them: :func:`create_app`
"""

from baiqiang.web.app import create_app
from baiqiang.web.settings import WebSettings

__all__ = ["WebSettings", "create_app"]
