"""The web page: search, subscribe and sign up in a browser, without reading any docs."""

from service.web.embed import router as embed_router
from service.web.routes import STATIC_DIR, router

__all__ = ["STATIC_DIR", "embed_router", "router"]
