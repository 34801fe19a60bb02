"""Reusable widgets: the thumbnail grid, the large sample view and the class charts."""
