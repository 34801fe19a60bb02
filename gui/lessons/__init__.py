"""The Lessons menu and the lesson side panel (lessons themselves are :mod:`core.lessons`)."""
