"""Easel's Python client: canvases and LLM conversations pushed live onto a canvas.

Standard library only (Python 3.9+). See README.md for examples.
"""

from .client import Client, EaselError
from .conversations import Conversation, StreamingMessage

__all__ = ["Client", "Conversation", "EaselError", "StreamingMessage"]
__version__ = "0.1.0"
