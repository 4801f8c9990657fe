"""Conversations on a canvas: append messages, branch, retry, and stream a response live."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Mapping, Optional

if TYPE_CHECKING:
    from .client import Client


class Conversation:
    """One conversation on a canvas. `message_ids` is its main line as this program pushed it."""

    def __init__(self, client: "Client", conversation_id: str, canvas_id: str, message_ids: List[str]):
        self.client = client
        self.id = conversation_id
        self.canvas_id = canvas_id
        self.message_ids = message_ids

    @property
    def last_message_id(self) -> Optional[str]:
        return self.message_ids[-1] if self.message_ids else None

    def append(
        self,
        role: str,
        content: Any = "",
        parent_id: Optional[str] = None,
        tool_calls: Optional[List[Mapping[str, Any]]] = None,
        tool_call_id: Optional[str] = None,
        model: Optional[str] = None,
        name: Optional[str] = None,
        usage: Optional[Mapping[str, Any]] = None,
        latency_ms: Optional[float] = None,
        retry_of: Optional[str] = None,
        streaming: bool = False,
    ) -> str:
        """Adds a message (a child of `parent_id`, by default of the last one pushed); its id.

        A second child of one parent is a branch; `retry_of` makes it a retry of that message
        (a sibling, shown as such). `streaming=True` leaves it open for `stream`/`complete`.
        """
        body: Dict[str, Any] = {"role": role, "content": content}
        parent = parent_id if parent_id is not None else (None if retry_of else self.last_message_id)
        if parent is not None:
            body["parentId"] = parent
        optional = {
            "toolCalls": tool_calls,
            "toolCallId": tool_call_id,
            "model": model,
            "name": name,
            "usage": dict(usage) if usage is not None else None,
            "latencyMs": latency_ms,
            "retryOf": retry_of,
        }
        body.update({key: value for key, value in optional.items() if value is not None})
        if streaming:
            body["status"] = "streaming"
        message = self.client.request("POST", f"/api/v1/conversations/{self.id}/messages", body)["message"]
        if not retry_of and (parent_id is None or parent_id == self.last_message_id):
            self.message_ids.append(message["id"])
        return message["id"]

    def stream(self, message_id: str) -> "StreamingMessage":
        """A message opened with `append(..., streaming=True)`, to write deltas into."""
        return StreamingMessage(self, message_id)

    def stream_response(
        self,
        chunks: Iterable[str],
        role: str = "assistant",
        model: Optional[str] = None,
        parent_id: Optional[str] = None,
        retry_of: Optional[str] = None,
        usage: Optional[Mapping[str, Any]] = None,
    ) -> str:
        """Relays a model's streamed text onto the canvas as it arrives; the new message's id.

        `chunks` is any iterable of text deltas (e.g. `(c.choices[0].delta.content or "" for c in
        stream)` with the OpenAI SDK). Everyone watching the canvas sees the text grow; the
        message is completed with the latency measured here (and `usage` when given).
        """
        started = time.monotonic()
        message_id = self.append(role, "", parent_id=parent_id, model=model, retry_of=retry_of, streaming=True)
        self.client.send_stream(f"/api/v1/conversations/{self.id}/messages/{message_id}/stream", chunks)
        self._complete(message_id, usage, (time.monotonic() - started) * 1000)
        return message_id

    def mirror(self, messages: Iterable[Mapping[str, Any]]) -> List[str]:
        """Pushes the messages of a growing OpenAI- or Anthropic-style list not yet on the canvas.

        Call it after every turn with the whole list: what was pushed before is skipped, the new
        messages are appended in order as the main line. Returns the ids of the new messages.
        """
        added = []
        for message in list(messages)[len(self.message_ids):]:
            message = dict(message)
            body = {key: value for key, value in message.items() if key in ("content", "tool_calls", "tool_call_id", "name")}
            added.append(
                self.append(
                    str(message.get("role", "user")),
                    body.get("content", ""),
                    tool_calls=body.get("tool_calls"),
                    tool_call_id=body.get("tool_call_id"),
                    name=body.get("name"),
                )
            )
        return added

    def tree(self) -> Dict[str, Any]:
        return self.client.get_conversation(self.id)

    def _complete(self, message_id: str, usage: Optional[Mapping[str, Any]], latency_ms: Optional[float]) -> None:
        body: Dict[str, Any] = {}
        if usage is not None:
            body["usage"] = dict(usage)
        if latency_ms is not None:
            body["latencyMs"] = round(latency_ms)
        self.client.request("POST", f"/api/v1/conversations/{self.id}/messages/{message_id}/complete", body)


class StreamingMessage:
    """Deltas into one open message; `complete()` (or leaving a `with` block) closes it."""

    def __init__(self, conversation: Conversation, message_id: str):
        self.conversation = conversation
        self.id = message_id
        self._started = time.monotonic()
        self._completed = False

    def write(self, delta: str) -> None:
        if delta:
            self.conversation.client.request("POST", f"/api/v1/conversations/{self.conversation.id}/messages/{self.id}/stream", {"delta": delta})

    def complete(self, usage: Optional[Mapping[str, Any]] = None, latency_ms: Optional[float] = None) -> None:
        if self._completed:
            return
        measured = latency_ms if latency_ms is not None else (time.monotonic() - self._started) * 1000
        self.conversation._complete(self.id, usage, measured)
        self._completed = True

    def __enter__(self) -> "StreamingMessage":
        return self

    def __exit__(self, *exc: object) -> None:
        self.complete()
