"""What the registry keeps for its subscribers: API keys and watchlists with signed webhooks.

None of it is a fact of the registry: it is not in the event store or the log, and a rebuild of
the read models leaves it alone. Its tables (prefix ``greenreg_``, see :mod:`.tables`) live in
the registry's database beside the read models, on the read store's connections.

    tables.py         the tables, for SQLite and PostgreSQL
    api_keys.py       keys the operator issues (stored hashed), and who holds a key
    entries.py        a watchlist's entries: unit ids and credit codes, checked one by one
    endpoints.py      a webhook URL: HTTPS only, a public address, reachable when registered
    changes.py        which events are a status change a watcher is told of
    watchlists.py     watchlists, their cursors, pending notifications and delivery log
    notifications.py  the signed notification body, and how a receiver verifies it
    delivery.py       the worker that delivers, in log order, with backoff
"""
