"""Plain values and rules every stage shares: the site model, the post model, URLs,
diagnostics, safe YAML and field converters. Imports nothing else of chatwiki."""
