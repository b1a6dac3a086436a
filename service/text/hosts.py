"""What the hosts' pages, the "I'm going" list and the follow forms say."""

from __future__ import annotations

READ_ABOUT_WEBSITE = "Their website"
READ_ABOUT_EVENT_PAGE = "Their page for {title}"

HOST_INTRO = (
    "Research the host before you go: what they do, who speaks at their events and who "
    "usually comes. These are their own pages; meetscout adds no tracking to the links."
)
HOST_FEED = "Every event {name} runs, in your calendar"
NO_UPCOMING = "Nothing coming up from {name} that meetscout has seen."
FOLLOW_EXPLAINED = (
    "Following adds {name}'s events to your weekly digest, wherever they are and whatever "
    "their sector."
)
FOLLOW_KEY_HINT = (
    "The key is the last part of the manage link in your digest email; or open your "
    '"I\'m going" list from that email on this device, and this form fills it in.'
)
FOLLOWED = "You follow {name}: their events join your weekly digest."
UNFOLLOWED = "You no longer follow {name}."
NO_SUBSCRIPTION = "That key opens no digest subscription. Copy it again from the digest email."

GOING_PRIVATE = (
    "Only someone with this page's address can see this list: keep it to yourself. "
    "meetscout shows no one who else is going."
)
GOING_EMPTY = 'Nothing marked yet. Mark an event "I\'m going" on its page.'
GOING_FEED = (
    "Your going list in your calendar: a reminder before each event, and a follow-up note "
    "the morning after"
)
GOING_MARKED = "You're going. It is on your private list."
GOING_UNMARKED = "Taken off your list."
GOING_DELETED = "Your going list is deleted; nothing of it is kept."
GOING_NOT_FOUND = "That going list does not exist, or was deleted."
FORM_REFUSED = "That form came from another page; use the buttons on this site."
GOING_ALARM_MINUTES = 120
"""The reminder before each event in the going feed: time to get there and look the host up."""
