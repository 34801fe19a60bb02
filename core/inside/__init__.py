"""Looking inside a model: every layer's response to one drawing, why it answered, what it learned.

Everything here runs on the model's LiteRT copy (no TensorFlow), like the Draw tab's answer:

- :mod:`core.inside.probe`: the network's layers and their outputs for one drawing (the
  interpreter's own intermediate tensors), the first layer's filters, and the features
  its last layer reads (for many samples at once);
- :mod:`core.inside.saliency`: "Why?": which ink pushed the answer, by occlusion;
- :mod:`core.inside.pictures`: feature-map grids, filters and saliency as RGB pictures
  (the window and ``inspect`` draw the same ones);
- :mod:`core.inside.feature_map`: the 2-D map of what the model learned (PCA of the
  penultimate features of test samples), and where one drawing sits on it.
"""
