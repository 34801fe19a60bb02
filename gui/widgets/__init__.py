"""Reusable widgets: thumbnails, sample views, charts, plots, the drawing pad, the message banner."""
