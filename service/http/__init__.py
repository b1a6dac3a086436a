"""What the two HTTP faces, the API and the web page, share.

Request dependencies, the search filters, caching headers, the sign-up
schema and its rate limit: both faces import these; neither imports the other.
"""
