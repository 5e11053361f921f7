"""Canonical, checksum-verified datasets and their tf.data pipelines."""

import foundations  # pylint: disable=unused-import  (sets the TensorFlow environment first)
