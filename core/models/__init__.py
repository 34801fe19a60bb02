"""Models: the preset recipes, the library of saved models and their cards, running a model
on images (inference), and the recognizer the Draw tab and ``recognize`` use.

Nothing is re-exported here, so importing one of them stays as cheap as that one module.
"""
