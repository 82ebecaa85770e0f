"""Readers for every chat-archive format organisers have, into one post model."""
