"""Writes of the core app, one module per area: ``audit``, ``ledger``, ``org``,
``people`` and ``people_bulk``.

Every service takes keyword-only arguments, runs in a transaction, checks
the actor's permission itself and writes an audit row, so the admin, views,
tasks and the shell all behave the same.
"""
