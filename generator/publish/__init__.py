"""Putting a finished site in place: staging, search indexing, the atomic swap."""
