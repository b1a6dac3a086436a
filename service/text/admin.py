"""What the operator's pages and the suggestion form say: refusals, states, confirmations."""

from __future__ import annotations

ADDRESS_EMPTY = (
    "Type the address of a calendar or an events page, e.g. https://library.example.org/events."
)
ADDRESS_TOO_LONG = "That address is too long for a calendar's address."
ADDRESS_NOT_WEB = "Give a web address starting with https:// or http://."
ADDRESS_WITH_LOGIN = "Give the public address, without a user name or password in it."
ADDRESS_NO_HOST = "That address has no site name in it."
ADDRESS_INSIDE = (
    "That address points inside a private network ({kind}); only public calendars can be added."
)

ATTENTION = {
    "never": "never crawled",
    "failed": "last crawl failed",
    "partial": "last crawl incomplete",
    "empty": "no events stored",
    "held": "{count} events wait for approval",
    "gone": "no longer in the sources file",
}
"""Why a source is listed first on the sources page."""

DONE = {
    "paused": "Paused {name}: crawls leave it out until resumed.",
    "resumed": "Resumed {name}: the next crawl reads it again.",
    "held": "New events of {name} now wait for approval.",
    "released": "New events of {name} show without approval again.",
    "removed": "Removed {name} from the sources file.",
    "recrawl": "Recrawling {name}.",
    "approved": "Approved: the event shows everywhere.",
    "hidden": "Hidden: the event no longer shows, and recrawls leave it out.",
    "unhidden": "Shown again at its source's next crawl.",
    "corrected": "Corrected: the event keeps this through every recrawl.",
    "rejected": "Suggestion rejected.",
    "signed_out": "Signed out.",
}
"""The note a page shows after the operator's action (``?done=KEY``)."""

BUSY = "Two commands are already running; wait for one to finish."
SIGN_IN_WRONG = "That is not the operator's token."
SIGN_IN_TOO_MANY = "Too many attempts; wait a while and try again."
FORM_EXPIRED = "This form has expired; reload the page and try again."
NOT_A_SOURCE = "There is no source of that name in the sources file."
NOT_AN_EVENT = "There is no such event, stored or held."
SUGGEST_TOO_MANY = "Too many suggestions from this address; please try again later."
SUGGEST_FULL = "Many suggestions already wait for the operator; please try again in a few days."
SUGGEST_THANKS = "Thank you: the operator will look at {url} and add it if it lists public events."

JOB_STATE = {"running": "running", "ok": "finished", "failed": "failed"}
