"""Turning minutes files into meetings; depends on ``meetings``, never the reverse.

- ``converters``: web pages, Word documents and PDFs to text (a new file format goes here).
- ``parsers``: pure functions, minutes text in, plain dataclasses out (no ORM, no I/O). A new
  layout is a reader in ``parsers/layouts.py`` (or a module beside it, as ``egenda``) with its
  ``SHAPE_*`` value in ``meetings.constants``, a ``meetings.models.Shape`` choice and its
  migration, and a one-pattern fixture in ``tests/fixtures/layouts/``.
- ``reading``: a file's bytes to a parsed document, or the reason it cannot be imported.
- ``services``: the one atomic store service: which meeting a document belongs to, storing it
  (created / updated / unchanged / failed) or previewing it; ``batch`` stores many at once.
- ``writers``: the rows of a meeting, its items, decisions and attendance.
- ``topics``: finding topics in items, and tagging, re-tagging and merging them.
- ``history``: the record of every import attempt. ``diff``, ``matching`` and ``overrides``:
  what a corrected file changes, which stored item is which, corrections made by hand.
- ``uploads``, ``reimport``, ``admin``, ``admin_views``: importing from the admin.
"""
