"""Reading the site's own files: site.yaml, chats, wiki pages, series, git history.
Everything a user wrote enters chatwiki here, and is checked here."""
