"""The lottery experiments: level loop, registries, commands (python -m lottery <command>)."""

import foundations  # pylint: disable=unused-import  (sets the TensorFlow environment first)
