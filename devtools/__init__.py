"""Tools for developing and measuring the archive, never installed in production.

The synthetic archive (``synthetic``) and the commands that write and measure it
(``generate_archive``, ``benchmark_search``): see docs/performance.md. The development and
test settings install this app; ``ssp_archive.settings.production`` leaves it out.
"""
