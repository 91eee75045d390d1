"""Live updates: after a commit that brings new mentions or a colleague's change, every open inbox
and conversation page of that workspace hears of it (Server-Sent Events) and re-reads what it shows.

- ``events``: what is announced (workspace, kind, conversation) and the hub that hands it to this
  process's listeners;
- ``buses``: how it travels between processes — Redis pub/sub, PostgreSQL LISTEN/NOTIFY, an SQLite
  file on one machine, or memory within one process;
- ``signals``: the announcements a transaction collects, published once it has committed.
"""
