"""The read side: one query layer for the CLI (``query``, ``export``, ``compare``), the exports
and the web UI (pages and JSON API), so that they cannot disagree.

* ``readouts.read.filters``: the filters (``Filters``) and what each one means in SQL;
  dates, full-text queries as words and phrases. Pure, imports nothing of the store.
* ``readouts.read.rows``: engagement rows (one per event by default in the CLI and the web,
  one per report on request) with their documents and sources loaded in batches; counts,
  facets, levels and formula-safe CSV.
* ``readouts.read.views``: what a page or command shows of one thing: a document, a dyad,
  the network, an actor, the comparison of one event's reports.

Every function takes an open connection (``readouts.store.open_readonly`` or a ``Store``'s)
and returns plain dicts and lists, ready for JSON.
"""
