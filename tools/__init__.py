"""Developer tools run from the repository root (``make models``), outside cores and guis imports."""
