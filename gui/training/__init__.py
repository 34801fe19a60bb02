"""The Training tab, one module per panel; :mod:`gui.training.tab` composes them."""
