"""Keras layers of InkLab's own: a batch normalisation that trains in one fused kernel.

Keras 3 normalises a batch with separate TensorFlow ops (moments, then the scale and shift),
and its gradient is as many passes again over every feature map.  On a CPU that was the
largest cost of training ``recommended`` (issue 14): TensorFlow's ``FusedBatchNormV3``
does the same arithmetic in one pass forward and one backward, ~20% of the CPU time of a
training step.  At inference the layer is Keras' own, so a trained model predicts, converts
to LiteRT and exports exactly as with ``keras.layers.BatchNormalization``.

The class is registered with Keras (``inklab>FusedBatchNormalization``), so a saved model
loads with ``safe_mode`` once this module is imported (the model library does that).
TensorFlow is imported on first use of :func:`fused_batch_normalization`.
"""

from __future__ import annotations

from functools import cache


@cache
def fused_batch_normalization():
    """The registered ``FusedBatchNormalization`` class (imports Keras on first call)."""
    import keras
    import tensorflow as tf

    @keras.saving.register_keras_serializable(package="inklab", name="FusedBatchNormalization")
    class FusedBatchNormalization(keras.layers.BatchNormalization):
        """``BatchNormalization`` whose training step is TensorFlow's fused kernel.

        Same weights, same moving-average update, same outputs (to float rounding); only
        channels-last 4-D inputs without a mask take the fused path, anything else is
        Keras' own code.
        """

        def call(self, inputs, training=None, mask=None):
            fused = (training and self.trainable and mask is None and len(inputs.shape) == 4
                     and self.axis in (-1, 3) and not self.renorm and not self.synchronized
                     and inputs.dtype == tf.float32)
            if not fused:
                return super().call(inputs, training=training, mask=mask)
            channels = inputs.shape[-1]
            scale = tf.convert_to_tensor(self.gamma) if self.scale else tf.ones([channels])
            offset = tf.convert_to_tensor(self.beta) if self.center else tf.zeros([channels])
            outputs, mean, variance, *_ = tf.raw_ops.FusedBatchNormV3(
                x=inputs, scale=scale, offset=offset, mean=tf.constant([], tf.float32),
                variance=tf.constant([], tf.float32), epsilon=self.epsilon,
                exponential_avg_factor=1.0, data_format="NHWC", is_training=True,
            )
            # The kernel hands back the unbiased (n-1) variance for the running average;
            # Keras keeps the batch's own (n) variance: the same update as the plain layer.
            count = tf.cast(tf.size(inputs) // channels, tf.float32)
            variance = variance * (count - 1.0) / tf.maximum(count, 1.0)
            m = self.momentum
            self.moving_mean.assign(self.moving_mean * m + mean * (1.0 - m))
            self.moving_variance.assign(self.moving_variance * m + variance * (1.0 - m))
            return outputs

    return FusedBatchNormalization
