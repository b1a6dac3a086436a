"""Finding what can be crawled behind an events page's address.

A use case, not a command: :func:`propose` reads one fetched page and
returns a :class:`Proposal` (plain data: the source type and URL it would
crawl, each guess with the evidence it came from, or why nothing is
crawlable). Fetching is the caller's, through the guarded crawler, so the
same reading serves the command line and an operator's web page.
"""

from crawlers.discover.page import Guess, Proposal, propose

__all__ = ["Guess", "Proposal", "propose"]
