"""The one search behind the API list, the feeds, the web page, the CLI and the digest."""

from service.search.cache import SearchCache
from service.search.plan import (
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
    Sort,
    check,
    point_of,
    resolve_place,
    search,
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
    "Sort",
    "check",
    "point_of",
    "resolve_place",
    "search",
]
