"""One module per dashboard page: its builder (what the page shows, shaped from the
inventory read model) and the tables it downloads."""
