"""The window's own widgets: traffic log, send bar, peer table, counters, rows."""
