"""Home: the top layer. Each user's first page, built only from the other areas' services."""
