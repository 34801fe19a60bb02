"""Helpers shared by the test modules, so that no test module imports another.

One module per kind of test data: ``idx`` (the one IDX writer), ``datasets`` (small files in
the real CSV layout, a fake EMNIST, slow re-framing), ``file_server`` (a local HTTP mirror),
``models`` (the tiny trained model), ``lines`` (a written number), ``cli`` (what a failing
command prints) and ``gui`` (mouse strokes, list rows, contrast; imports Qt).
"""
