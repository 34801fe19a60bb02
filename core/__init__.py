"""InkLab's engine: data sets, preprocessing, models, training and recognition.

Plain Python, numpy and TensorFlow only -- no Qt here, so every feature can be driven
from the command line, from tests and from the GUI alike.
"""
