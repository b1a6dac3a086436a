"""The one search behind the API list, the feeds, the web page, the CLI and the digest.

``request`` is what is asked and answered, ``plan`` how a search runs, ``rank``
the score and its reasons, ``cursors`` where the next page starts, ``cache``
what the app keeps between searches. Callers import from here.
"""

from service.search.cache import SearchCache
from service.search.plan import search
from service.search.request import (
    DEFAULT_RADIUS_KM,
    MAX_LIMIT,
    MAX_QUERY_CHARS,
    MAX_RADIUS_KM,
    SORTS,
    Point,
    SearchError,
    SearchPage,
    SearchRequest,
    SearchResult,
    Series,
    Sort,
    check,
    point_of,
    resolve_place,
)

__all__ = [
    "DEFAULT_RADIUS_KM",
    "MAX_LIMIT",
    "MAX_QUERY_CHARS",
    "MAX_RADIUS_KM",
    "SORTS",
    "Point",
    "SearchCache",
    "SearchError",
    "SearchPage",
    "SearchRequest",
    "SearchResult",
    "Series",
    "Sort",
    "check",
    "point_of",
    "resolve_place",
    "search",
]
