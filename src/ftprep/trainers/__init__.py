"""What a trainer will train on: trainer profiles, the model's tokenizer, rendering.

``setup(tokenizer, trainer, max_length, loss)`` is what a run needs (a
:class:`~ftprep.core.rendering.TrainerSetup`); the TR rules read its renderings.
"""

from ftprep.trainers.setup import setup

__all__ = ["setup"]
