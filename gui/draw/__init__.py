"""The Draw tab, one module per panel: the pad and its tools, the model picker, what the
model reads, and the collect form; :mod:`gui.draw.tab` composes them and runs the
strokes -> 28x28 -> prediction loop."""
