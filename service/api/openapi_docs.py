"""Answers the framework gives on its own, written into the OpenAPI schema of every route.

FastAPI documents 422 for every operation with parameters, but not the 404
of a path naming something that does not exist, the 400 of a request body
that is not JSON text, or the 503 this app answers when its store fails.
Clients generated from the schema, and the schema fuzz test, need them all.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
NOT_FOUND = {
    "description": "Nothing exists under this path.",
    "content": {"application/json": {"schema": ERROR_SCHEMA}},
}
UNREADABLE_BODY = {
    "description": "The request body is not UTF-8 JSON.",
    "content": {"application/json": {"schema": ERROR_SCHEMA}},
}
STORE_UNAVAILABLE = {
    "description": "The event store is not answering; try again after Retry-After.",
    "headers": {"Retry-After": {"schema": {"type": "integer"}}},
    "content": {"application/json": {"schema": ERROR_SCHEMA}},
}


def document_framework_responses(app: FastAPI) -> None:
    """Add 404 (path parameters), 400 (request bodies) and 503 to each operation lacking them.

    Done on the generated schema (FastAPI's documented way to extend it), so
    routes added later are covered too.
    """
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        schema = generate()
        for path, item in schema.get("paths", {}).items():
            for operation in item.values():
                if not isinstance(operation, dict) or "responses" not in operation:
                    continue
                responses = operation["responses"]
                if "{" in path:
                    responses.setdefault("404", NOT_FOUND)
                if "requestBody" in operation:
                    responses.setdefault("400", UNREADABLE_BODY)
                responses.setdefault("503", STORE_UNAVAILABLE)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def link(path: str, method: str, description: str, **parameters: str) -> dict[str, Any]:
    """An OpenAPI link from an answer to the operation at ``method path``.

    ``parameters`` map the target's parameter names to runtime expressions
    (``$response.body#/token``): how a client, or a stateful test, goes from
    one call to the next.
    """
    pointer = path.replace("~", "~0").replace("/", "~1")
    return {
        "operationRef": f"#/paths/{pointer}/{method}",
        "parameters": parameters,
        "description": description,
    }
