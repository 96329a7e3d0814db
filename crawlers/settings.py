"""Scrapy settings for the nianbao crawl (polite defaults for government portals; see docs/crawling.md).

Per-host delay and concurrency come from the sources file (each portal's `delay` / `concurrency` / `jitter`):
the spider installs them as download slots keyed by host[:port]. The values here are the defaults for hosts
no portal names (e.g. a file server an attachment lives on).
"""
BOT_NAME = "nianbao"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"

# A browser-like User-Agent (some portals refuse anything else) that still says who we are.
USER_AGENT = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/126.0 Safari/537.36 nianbao/0.1 (+open data; government information-disclosure annual reports)")
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5",
}

ROBOTSTXT_OBEY = True
ROBOTSTXT_USER_AGENT = "nianbao"
ROBOTSTXT_CACHE_HOURS = 24  # a host's robots.txt is kept in the crawl state this long (0: asked on every run)

# Politeness: 1 request at a time per host, ~1 s apart (±50 %), AutoThrottle raising it for slow hosts.
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

DOWNLOAD_TIMEOUT = 60
DOWNLOAD_MAXSIZE = 100 * 1024 * 1024
DOWNLOAD_WARNSIZE = 0
DOWNLOAD_FAIL_ON_DATALOSS = False  # keep what arrived; the row says `truncated` (after a retry)

RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]  # never 404; 412/521 are challenges, not errors
RETRY_BACKOFF_BASE = 5.0
RETRY_BACKOFF_MAX = 300.0
RETRY_GIVE_UP_LOG_LEVEL = "WARNING"

# The spider sees every status (404s, challenges) and records it; deleted pages' meta refresh is ours to judge.
HTTPERROR_ALLOW_ALL = True
METAREFRESH_ENABLED = False
REDIRECT_MAX_TIMES = 10
COOKIES_ENABLED = True
DUPEFILTER_CLASS = "scrapy.dupefilters.BaseDupeFilter"  # the spider de-duplicates per portal itself
DNSCACHE_ENABLED = True
DOWNLOADER_CLIENT_TLS_CIPHERS = "DEFAULT:@SECLEVEL=1"  # old county sites use weak DH keys and old ciphers

DOWNLOADER_MIDDLEWARES = {
    "crawlers.middlewares.PortalSlotMiddleware": 60,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawlers.middlewares.BackoffRetryMiddleware": 550,
    "crawlers.middlewares.ChallengeMiddleware": 545,
    "crawlers.middlewares.HttpFallbackMiddleware": 560,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "crawlers.middlewares.PortalRedirectMiddleware": 600,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawlers.middlewares.CachedRobotsTxtMiddleware": 100,
}
SPIDER_MIDDLEWARES = {
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
}
ITEM_PIPELINES = {
    "crawlers.pipelines.ValidatePipeline": 100,
    "crawlers.pipelines.StorePipeline": 200,
}
EXTENSIONS = {
    "scrapy.extensions.throttle.AutoThrottle": None,
    "crawlers.extensions.PortalAutoThrottle": 0,
    "scrapy.extensions.telnet.TelnetConsole": None,
    "scrapy.extensions.remote_control.RemoteControl": None,
}

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
LOG_LEVEL = "INFO"
LOGSTATS_INTERVAL = 60.0
FEED_EXPORT_ENCODING = "utf-8"
