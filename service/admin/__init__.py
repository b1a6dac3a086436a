"""The operator's use cases: the sources file, crawls run on request, suggested calendars,
held events and corrections. Below the web page and the CLI, above the store."""
