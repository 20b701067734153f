"""The archive: what is stored and shown. Depends on nothing else of the project.

- ``models``: meetings, attendees, agenda items, decisions, topics, people, source documents,
  import history and corrections; ``constants``: the stored values a read document uses.
- ``search``: full-text search and the search page's filters and counts, one backend per
  database (see its docstring).
- ``selectors``: what each page reads, built in one place; ``views``, ``views_search``,
  ``feeds``, ``exports`` and ``charts`` turn it into pages, feeds, CSV and charts.
- ``filters``: the search page's form, made from the declarations of ``search.filters``.
- ``review``: why a meeting needs a person to look at it; ``admin`` and ``admin_restricted``:
  the admin of the archive's own records (importing is ``ingest.admin``).
"""
