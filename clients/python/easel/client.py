"""The HTTP client: authentication, JSON requests, and Easel's error bodies as exceptions."""

from __future__ import annotations

import http.client
import json
import os
import urllib.parse
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional

from .conversations import Conversation

DEFAULT_TIMEOUT_SECONDS = 30.0


class EaselError(Exception):
    """An answer that is not a success: Easel's `{error: {code, message}}` as attributes.

    `status` is the HTTP status, `code` Easel's error code (`NOT_FOUND`, `FORBIDDEN`,
    `RATE_LIMITED`, ...), `retry_after` the seconds to wait when the server said so.
    """

    def __init__(self, status: int, code: str, message: str, details: Optional[Dict[str, Any]] = None, retry_after: Optional[float] = None):
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}
        self.retry_after = retry_after


class Client:
    """A connection to one Easel server, acting with one API key (`easel_...`) or session token.

    >>> easel = Client("https://easel.example.com", token=os.environ["EASEL_API_KEY"])
    >>> canvas = easel.create_canvas("Agent runs")
    """

    def __init__(self, base_url: Optional[str] = None, token: Optional[str] = None, timeout: float = DEFAULT_TIMEOUT_SECONDS):
        base_url = base_url or os.environ.get("EASEL_URL")
        token = token or os.environ.get("EASEL_API_KEY")
        if not base_url:
            raise ValueError("Pass base_url (or set EASEL_URL), e.g. http://localhost:5173")
        if not token:
            raise ValueError("Pass token (or set EASEL_API_KEY): an API key from team settings")
        parsed = urllib.parse.urlsplit(base_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError(f"base_url must be an http(s) URL, not {base_url!r}")
        self._scheme = parsed.scheme
        self._netloc = parsed.netloc
        self._path = parsed.path.rstrip("/")
        self._token = token
        self.timeout = timeout

    # -- canvases ---------------------------------------------------------------------------

    def list_canvases(
        self,
        team_id: Optional[str] = None,
        q: Optional[str] = None,
        sort: Optional[str] = None,
        folder_id: Optional[str] = None,
    ) -> List[Dict[str, Any]]:
        """A team's canvases: `q` searches titles and the text on them (best match first, each with
        its `match` excerpt), `sort` is `edited`, `created` or `title`, `folder_id` a folder's id or
        `none` for the unfiled ones."""
        fields = {"teamId": team_id, "q": q, "sort": sort, "folderId": folder_id}
        query = {key: value for key, value in fields.items() if value is not None}
        return self.request("GET", "/api/v1/canvases", query=query or None)["canvases"]

    def create_canvas(self, title: Optional[str] = None, team_id: Optional[str] = None) -> Dict[str, Any]:
        body: Dict[str, Any] = {}
        if title is not None:
            body["title"] = title
        if team_id is not None:
            body["teamId"] = team_id
        return self.request("POST", "/api/v1/canvases", body)

    def get_canvas(self, canvas_id: str) -> Dict[str, Any]:
        return self.request("GET", f"/api/v1/canvases/{_id(canvas_id)}")

    # -- conversations ----------------------------------------------------------------------

    def create_conversation(
        self,
        canvas_id: str,
        messages: Iterable[Mapping[str, Any]],
        external_id: Optional[str] = None,
        title: Optional[str] = None,
        system: Optional[str] = None,
    ) -> Conversation:
        """Pushes a conversation (OpenAI chat or Anthropic messages format, as they are).

        With `external_id` it is idempotent: pushing the same id again returns the same
        conversation and duplicates nothing, so a program may retry freely.
        """
        body: Dict[str, Any] = {"messages": list(messages)}
        if external_id is not None:
            body["externalId"] = external_id
        if title is not None:
            body["title"] = title
        if system is not None:
            body["system"] = system
        answer = self.request("POST", f"/api/v1/canvases/{_id(canvas_id)}/conversations", body)
        return Conversation(self, answer["conversation"]["id"], canvas_id, list(answer["conversation"]["messageIds"]))

    def mirror(
        self,
        canvas_id: str,
        messages: Iterable[Mapping[str, Any]],
        external_id: str,
        title: Optional[str] = None,
        system: Optional[str] = None,
    ) -> Conversation:
        """Mirrors a message list onto a canvas: creates the conversation the first time, and on
        later calls (from this process or another) appends only the messages not there yet.

        The list is taken as a line: message i is the child of message i - 1. Keep the returned
        Conversation and call its `mirror` after each turn, or call this again with the same
        `external_id`.
        """
        messages = list(messages)
        try:
            conversation = self.create_conversation(canvas_id, messages, external_id=external_id, title=title, system=system)
        except EaselError as error:
            # The id was first pushed with fewer messages (an earlier turn): continue that conversation.
            existing = error.details.get("conversationId") if error.code == "CONFLICT" else None
            if not existing:
                raise
            conversation = Conversation(self, str(existing), canvas_id, [])
        conversation.message_ids = main_line(self.get_conversation(conversation.id))
        conversation.mirror(messages)
        return conversation

    def conversation(self, conversation_id: str) -> Conversation:
        """A conversation already on a canvas, to append to (reads its tree once)."""
        tree = self.get_conversation(conversation_id)
        return Conversation(self, conversation_id, tree["canvasId"], main_line(tree))

    def get_conversation(self, conversation_id: str) -> Dict[str, Any]:
        """The conversation's tree: its messages, each with `parentId` (and `retryOf`)."""
        return self.request("GET", f"/api/v1/conversations/{_id(conversation_id)}")["conversation"]

    # -- the wire ---------------------------------------------------------------------------

    def request(self, method: str, path: str, body: Any = None, query: Optional[Mapping[str, str]] = None) -> Any:
        """One JSON request; the parsed answer, None for 204, EaselError for anything but 2xx."""
        headers = {"Accept": "application/json"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        return self._send(method, path, payload, headers, query)

    def send_stream(self, path: str, chunks: Iterable[str]) -> Any:
        """POSTs text chunks as one chunked `text/plain` body: each chunk reaches the canvas as it is sent."""
        encoded: Iterator[bytes] = (chunk.encode("utf-8") for chunk in chunks if chunk)
        return self._send("POST", path, encoded, {"Content-Type": "text/plain; charset=utf-8", "Accept": "application/json"}, None, chunked=True)

    def _send(self, method: str, path: str, payload: Any, headers: Dict[str, str], query: Optional[Mapping[str, str]], chunked: bool = False) -> Any:
        target = self._path + path
        if query:
            target += "?" + urllib.parse.urlencode(query)
        connection_type = http.client.HTTPSConnection if self._scheme == "https" else http.client.HTTPConnection
        connection = connection_type(self._netloc, timeout=self.timeout)
        headers = {**headers, "Authorization": f"Bearer {self._token}", "User-Agent": "easel-python/0.1"}
        try:
            connection.request(method, target, body=payload, headers=headers, encode_chunked=chunked)
            response = connection.getresponse()
            raw = response.read()
        finally:
            connection.close()
        if response.status == 204 or not raw:
            if 200 <= response.status < 300:
                return None
        text = raw.decode("utf-8", errors="replace")
        try:
            parsed = json.loads(text) if text else None
        except ValueError:
            parsed = None
        if 200 <= response.status < 300:
            return parsed
        error = (parsed or {}).get("error") if isinstance(parsed, dict) else None
        retry_after = response.getheader("Retry-After")
        raise EaselError(
            response.status,
            (error or {}).get("code", "HTTP_ERROR"),
            (error or {}).get("message", text[:200] or response.reason),
            dict((error or {}).get("details") or {}),
            float(retry_after) if retry_after and retry_after.isdigit() else None,
        )


def main_line(tree: Mapping[str, Any]) -> List[str]:
    """The conversation's main line: from its first root, always the newest child that is not a retry."""
    messages = list(tree.get("messages", []))
    children: Dict[Optional[str], List[Mapping[str, Any]]] = {}
    for message in messages:
        children.setdefault(message.get("parentId"), []).append(message)
    line: List[str] = []
    candidates = children.get(None, [])[:1]
    while candidates:
        current = candidates[-1]
        line.append(current["id"])
        candidates = [child for child in children.get(current["id"], []) if not child.get("retryOf")]
    return line


def _id(value: str) -> str:
    return urllib.parse.quote(str(value), safe="")
