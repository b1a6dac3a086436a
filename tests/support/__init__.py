"""Helpers the tests share; a test file imports them, never another test file or a conftest.

``tests/factories.py`` builds events and subscriptions by hand. Here:
``saved`` reads the saved real files and the real events parsed from them,
``crawling`` runs whole crawls and spiders over saved feeds, ``smtp`` is a
real mail server for a test, ``geocoding`` stands in for Nominatim, ``ical``
parses feeds with three parsers, ``pages`` reads HTML as a browser would,
and ``browser`` drives Chromium.
Fixtures stay in ``conftest.py`` files, where pytest finds them.
"""
