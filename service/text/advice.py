"""What to do before, at and after an event to come away with a new contact.

The digest attaches this to every pick, a calendar feed to every entry. It
follows the advice the people meetscout serves try to live by: research the
host, open with something about the other person's work, ask "Who do you
know that you think I should meet?", leave the résumé at home, and follow
up within a day.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit

from service.model import Attendance, Event, Kind, Preparation

ASK = "Who do you know that you think I should meet?"

LEAVE_THE_RESUME = (
    "Leave the résumé at home: this is about the other person and their work, not a job ask."
)

OPENERS: Mapping[str, str] = {
    "technology": "What are you building at the moment, and what is the hardest part of it?",
    "healthcare": "What is changing most in how you care for patients this year?",
    "finance": "Which change in regulation or markets is keeping your team busiest?",
    "education": "What are your learners finding hardest right now?",
    "legal": "What kind of matter takes most of your time these days?",
    "marketing-and-media": "Which story or campaign are you proudest of this year?",
    "engineering-and-manufacturing": "What are you making, and what is the tricky part of it?",
    "public-sector-and-nonprofit": "Which programme or cause are you working on at the moment?",
    "design-and-arts": "What project are you working on, and where did the idea come from?",
    "music-and-entertainment": "What are you working on next, and how did you get into it?",
    "writing-and-publishing": "What are you reading or writing at the moment?",
    "science-and-research": "What question is your research trying to answer?",
    "sales-and-business": "What problem do your customers bring to you most often?",
    "hospitality-and-retail": "What do your guests or customers ask for most this season?",
    "real-estate-and-construction": "Which project are you on now, and what is it like?",
    "energy-and-environment": "Which project are you most excited about right now?",
    "human-resources-and-careers": "What makes people stay at the places you work with?",
    "transport-and-logistics": "What is the hardest link in the chain you work on?",
    "agriculture-and-food": "What are you growing or making this season?",
    "social-care-and-community": "Who do you work with, and what do they need most?",
    "sports-and-fitness": "How did you get into coaching or training?",
}
"""One question per sector about the other person's work: people remember who listened."""

DEFAULT_OPENER = "What brought you here today, and what are you working on?"

KIND_TIPS: Mapping[Kind, str] = {
    Kind.CONFERENCE: (
        "Pick two talks and look up their speakers; talk to someone new at the breaks."
    ),
    Kind.BOOK_SIGNING: (
        "Read a chapter first and bring one question; the people in line share your interest."
    ),
    Kind.MEETUP: "Arrive a little early, when it is easiest to start a conversation.",
    Kind.CAREER_FAIR: (
        "Pick three employers and ask about the people and the work, not only open roles."
    ),
    Kind.WORKSHOP: "Sit next to someone you do not know and work through the exercises together.",
    Kind.OTHER: "Arrive early and introduce yourself to the host.",
}

CALENDAR_TIPS: Mapping[Kind, str] = {
    Kind.CONFERENCE: (
        "Pick two talks and look up their speakers; at the breaks, ask the person "
        f"next to you what brought them here, and: {ASK}"
    ),
    Kind.BOOK_SIGNING: (
        "Read a chapter first and bring one question for the author; talk with the "
        f"people in line, who share your interest, and ask: {ASK}"
    ),
    Kind.MEETUP: f"Research the host before you go, and ask: {ASK}",
    Kind.CAREER_FAIR: (
        "Look up the employers on the list, pick three, and ask each about the people "
        f"and the work, not only open roles; then ask: {ASK}"
    ),
    Kind.WORKSHOP: (
        "Arrive early, sit next to someone new and work through the exercises "
        f"together; afterwards ask: {ASK}"
    ),
    Kind.OTHER: f"Research the host, focus on the other person, and ask: {ASK}",
}
"""A calendar entry's one line of advice per kind: with no room for more, it carries the ask."""

FOLLOW_UP_STEPS: Sequence[str] = (
    "Send a short note to each person you met, within a day.",
    "Mention something specific you talked about, so they remember you.",
    "Make the introductions you offered, and thank anyone who offered one to you.",
)

FOLLOWED_HOST = "From a host you follow"
GOING_LINK = "Your going list: mark the events you go to, and next week's follow-up names them"
FOLLOW_UP_INTRO = "If you went to:"
FOLLOW_UP_INTRO_GOING = "You said you were going to:"
"""What leads the follow-up list: last week's picks, or the events the person marked."""

CALENDAR_FOLLOW_UP: Sequence[str] = (
    *FOLLOW_UP_STEPS[:2],
    "If someone offered an introduction, thank them and make it easy: send two lines "
    "they can forward.",
    "Connect on a professional network with a personal message, not the default one.",
    f"Keep it about them, not your résumé; and when it fits, ask: {ASK}",
)
"""The follow-up a calendar entry holds on the morning after: on its own, so all of it."""

ONLINE_HINT = "An online event counts too: stay for the breakout rooms and the chat."


def host_of(event: Event) -> str | None:
    """Who to research: the organizer, the author at a signing, else the website's domain."""
    for candidate in (event.organizer, event.performer):
        if candidate and candidate.strip():
            return " ".join(candidate.split())
    url = event.url or event.source_url
    if url:
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.hostname:
            return parts.hostname.removeprefix("www.")
    return None


def opener_for(sectors: Sequence[str]) -> str:
    """The opener of the first sector that has one (sectors come strongest first)."""
    for slug in sectors:
        if slug in OPENERS:
            return OPENERS[slug]
    return DEFAULT_OPENER


def prepare(event: Event, *, sectors: Sequence[str] = ()) -> Preparation:
    """Advice for ``event``; ``sectors`` the person follows come before the event's own."""
    host = host_of(event)
    url = event.url if event.url and event.url.startswith(("http://", "https://")) else None
    if host:
        research = f"Research {host} before you go: what they do, who speaks, who usually comes."
    else:
        research = "Research the host before you go: what they do and who usually comes."
    shared = [slug for slug in sectors if slug in event.sectors] or list(event.sectors)
    return Preparation(
        host=host,
        host_url=url,
        research=research,
        opener=opener_for([*shared, *sectors]),
        tip=ONLINE_HINT
        if event.attendance == Attendance.ONLINE
        else KIND_TIPS.get(event.kind, KIND_TIPS[Kind.OTHER]),
        ask=ASK,
        resume=LEAVE_THE_RESUME,
    )
