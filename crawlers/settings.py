"""Scrapy settings for meetscout's spiders: polite by default."""

BOT_NAME = "meetscout"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"


def user_agent(contact: str | None = None) -> str:
    """Who is crawling: meetscout, and who runs it when they say so (``MEETSCOUT_CONTACT``)."""
    return (
        f"meetscout/0.1 (event discovery; +{contact})"
        if contact
        else "meetscout/0.1 (event discovery)"
    )


USER_AGENT = user_agent()
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 1.0
# A stalled or dripping server costs at most this long per try (the whole answer, not each byte).
DOWNLOAD_TIMEOUT = 30
# Larger answers (and compressed ones that unpack larger: gzip bombs) are not read.
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
# A site's certificate must be valid for its name and chain to a trusted root (Scrapy's
# default accepts any, so that anyone on the way could have answered for the site).
DOWNLOAD_VERIFY_CERTIFICATES = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
RETRY_ENABLED = True
RETRY_TIMES = 2
# Longest Retry-After (seconds) a crawl waits for before counting the fetch as failed.
RETRY_AFTER_MAX = 120
DOWNLOADER_MIDDLEWARES = {
    # First: nothing else (robots.txt included) touches a refused address.
    "crawlers.guard.FetchGuardMiddleware": 50,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawlers.middlewares.SharedRobotsTxtMiddleware": 100,
    "crawlers.middlewares.RetryAfterMiddleware": 560,
}
# Every address a connection gets is checked (crawlers.guard): no private, loopback or metadata.
TWISTED_DNS_RESOLVER = "crawlers.guard.GuardedResolver"
MEETSCOUT_FETCH_ALLOW: list[str] = []
# Every crawler of a run waits for the host's turn (crawlers.hosts) before fetching.
DOWNLOAD_HANDLERS = {
    "http": "crawlers.hosts.HostTurnDownloadHandler",
    "https": "crawlers.hosts.HostTurnDownloadHandler",
}
# Feeds are re-fetched conditionally (ETag, Last-Modified) through the HTTP cache.
HTTPCACHE_ENABLED = True
HTTPCACHE_POLICY = "scrapy.extensions.httpcache.RFC2616Policy"
# Scrapy's filesystem storage, each entry written whole or not at all (a crawl can be killed).
HTTPCACHE_STORAGE = "crawlers.httpcache.CrashSafeCacheStorage"
HTTPCACHE_GZIP = True
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Scrapy's code-running HTTP server: not wanted, and started and stopped for every source.
REMOTE_CONTROL_ENABLED = False
LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"

ITEM_PIPELINES = {
    "crawlers.pipelines.normalize.NormalizePipeline": 100,
    "crawlers.pipelines.locate.LocatePipeline": 200,
    "crawlers.pipelines.classify.ClassifyPipeline": 300,
    "crawlers.pipelines.store.StorePipeline": 900,
}

# Set by the crawl command from meetscout's own settings.
MEETSCOUT_DATABASE_URL = "sqlite:///var/meetscout.db"
