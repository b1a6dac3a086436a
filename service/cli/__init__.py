"""The ``meetscout`` command: crawl, serve, search, digest, sources."""
