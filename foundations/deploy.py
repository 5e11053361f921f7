"""A trained masked network as a plain tf_keras model for deployment, and its TFLite forms.

The masked layers compute with `kernel * mask`; a deployed net needs neither
the mask variable nor tfmot's pruning wrappers. `plain_model` strips tfmot
wrappers where there are any (`strip_pruning`) and rebuilds every masked layer
as the stock layer it extends (Dense, Conv2D) holding `kernel * mask`, so the
zeros are in the weights themselves for the TFLite converter to encode.
"""

import time
import warnings
from typing import Tuple

import numpy as np
import tensorflow as tf
import tf_keras as keras

from foundations import masked_layers
from foundations import quiet


def plain_model(model: keras.Model) -> keras.Model:
  """The same function as `model` (a built functional model) from stock tf_keras layers."""
  wrappers = [layer for layer in model.layers if hasattr(layer, 'pruning_vars')]  # tfmot's
  if wrappers:
    import tensorflow_model_optimization as tfmot  # pylint: disable=g-import-not-at-top
    for wrapper in wrappers:  # the last optimizer step moved pruned entries; strip keeps kernels
      for weight, mask, _ in wrapper.pruning_vars:
        weight.assign(weight * mask)
    model = tfmot.sparsity.keras.strip_pruning(model)
  masked = masked_layers.masked_layers(model)

  def clone(layer):
    if layer.name not in masked:
      return layer.__class__.from_config(layer.get_config())
    stock = next(c for c in type(layer).__mro__[1:] if c.__module__.startswith('tf_keras'))
    return stock.from_config(layer.get_config())

  plain = keras.models.clone_model(model, clone_function=clone)
  for layer in model.layers:
    weights = layer.get_weights()
    if layer.name in masked:
      source = masked[layer.name]
      weights = [source.effective_kernel.numpy()] + ([source.bias.numpy()] if source.use_bias
                                                      else [])
    plain.get_layer(layer.name).set_weights(weights)
  return plain


def tflite_bytes(model: keras.Model, sparse: bool) -> bytes:
  """The model as a TFLite flatbuffer; `sparse`: weights with zeros stored in sparse encoding."""
  converter = tf.lite.TFLiteConverter.from_keras_model(model)
  if sparse:
    converter.optimizations = [tf.lite.Optimize.EXPERIMENTAL_SPARSITY]
  with quiet.silenced():
    return converter.convert()


class Interpreter:
  """A TFLite interpreter for one flatbuffer: batch predictions and per-example latency."""

  def __init__(self, flatbuffer: bytes):
    with warnings.catch_warnings(), quiet.silenced():
      warnings.simplefilter('ignore')  # tf.lite.Interpreter's deprecation notice
      self._interpreter = tf.lite.Interpreter(model_content=flatbuffer, num_threads=1)
      self._interpreter.allocate_tensors()
    self._input = self._interpreter.get_input_details()[0]['index']
    self._output = self._interpreter.get_output_details()[0]['index']
    self._batch = None

  def _run(self, x: np.ndarray) -> np.ndarray:
    if self._batch != x.shape[0]:
      self._interpreter.resize_tensor_input(self._input, x.shape)
      with quiet.silenced():
        self._interpreter.allocate_tensors()
      self._batch = x.shape[0]
    self._interpreter.set_tensor(self._input, x)
    self._interpreter.invoke()
    return self._interpreter.get_tensor(self._output)

  def predict(self, x: np.ndarray, batch_size: int = 1000) -> np.ndarray:
    """Logits [N, classes] of float32 inputs x [N, ...]."""
    return np.concatenate([self._run(x[i:i + batch_size]) for i in range(0, len(x), batch_size)])

  def latency(self, x: np.ndarray, repeats: int = 3) -> Tuple[float, float]:
    """(median, min) over `repeats` passes of the mean seconds per single-example invoke."""
    self._run(x[:1])  # warm-up at batch 1
    passes = []
    for _ in range(repeats):
      begin = time.perf_counter()
      for i in range(len(x)):
        self._run(x[i:i + 1])
      passes.append((time.perf_counter() - begin) / len(x))
    return float(np.median(passes)), float(min(passes))
