"""`chatwiki serve`: build into a private folder, serve it on loopback, rebuild on change.

Above the library API: it calls `generator.build.build()` like any other user of it,
so the pages it serves are the pages `chatwiki build` writes; only the responses it
sends carry the live-reload script.
"""
