"""The web page: search, subscribe and sign up in a browser, without reading any docs."""

from service.web.routes import STATIC_DIR, router

__all__ = ["STATIC_DIR", "router"]
