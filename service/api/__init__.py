"""The JSON API, the calendar feeds and the subscription endpoints, documented in OpenAPI."""
