"""Readers for every chat-archive format organisers have, into one post model
(`generator.core.posts`), and what those formats share."""
