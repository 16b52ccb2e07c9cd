"""Collecting readouts from the publishers: a polite, resumable crawler with a WARC archive.

``crawl(sources, db_path, archive_dir, CrawlConfig(...))`` is the facade; the parts are
``profiles`` (source profiles as data), ``discover`` (sitemaps, feeds, list pages),
``polite`` (robots.txt, per-host pacing), ``fetch`` (HTTP), ``frontier`` (state in the store)
and ``archive`` (WARC files written and read).
"""
from readouts.crawl.crawler import CrawlConfig, CrawlReport, ProgressLine, crawl, summary_lines
from readouts.crawl.profiles import Profile, ProfileError, builtin_profiles, load_profile, resolve_profile

__all__ = [
    "CrawlConfig",
    "CrawlReport",
    "Profile",
    "ProfileError",
    "ProgressLine",
    "builtin_profiles",
    "crawl",
    "load_profile",
    "resolve_profile",
    "summary_lines",
]
