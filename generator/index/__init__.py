"""Whole-site indexes computed from the loaded site: topics, calendar, wiki links,
conversations. Pure functions of the site model; no I/O."""
