"""Markdown bodies -> HTML plus what they refer to (headings, quoted posts, wiki
links, topic markers): markdown-it-py with chatwiki's own rules."""
