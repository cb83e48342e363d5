"""Review: the SQLite review store, what the review screen shows, checks and translation memory."""
