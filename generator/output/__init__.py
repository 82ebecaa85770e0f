"""Producing output bytes from planned values: HTML pages, feeds, iCalendar.
No file writes here."""
