"""What the reading-list feeds (Atom, JSON Feed, CSV) and the embedded view say."""

from __future__ import annotations

HOSTED_BY = "Hosted by {name}"
WHY = "Why: {reasons}"

NEW_TITLE = "New: {name}"
"""The name of a feed of the events first seen in the last days."""
NEW_SENTENCE = "Only events first listed in the last {days} days."

EMBED_MORE = "More on meetscout"
EMBED_EMPTY = "Nothing matches this search just now."
EMBED_SNIPPET_LABEL = "Show this search on your own site"
EMBED_SNIPPET_HELP = "Paste this into a page: the list sizes itself and links to each event here."
FEED_FORMATS_LABEL = "The same search as a reading list"
NEW_FEED_LABEL = "only new this week"
EMBED_COPIED = "Copied. Paste it into your page's HTML."
