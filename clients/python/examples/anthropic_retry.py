"""An Anthropic-format conversation with a tool use, then a retry of the answer as a sibling branch.

    EASEL_URL=http://localhost:5173 EASEL_API_KEY=easel_... EASEL_CANVAS_ID=<uuid> python3 anthropic_retry.py
"""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from easel import Client  # noqa: E402


def main():
    easel = Client()
    canvas_id = os.environ["EASEL_CANVAS_ID"]
    conversation = easel.create_conversation(
        canvas_id,
        system="You answer questions about the repository.",
        title="Repo question (Claude)",
        external_id="example-anthropic-1",
        messages=[
            {"role": "user", "content": [{"type": "text", "text": "How many open issues mention caching?"}]},
            {
                "role": "assistant",
                "content": [
                    {"type": "text", "text": "Let me search the tracker."},
                    {"type": "tool_use", "id": "toolu_01", "name": "search_issues", "input": {"query": "caching", "state": "open"}},
                ],
            },
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_01", "content": "3 results: #12, #40, #41"}]},
        ],
    )
    parent = conversation.last_message_id
    first = conversation.append("assistant", "Three open issues mention caching: #12, #40 and #41.", model="claude-sonnet", usage={"input_tokens": 310, "output_tokens": 18})
    # The program tried again with another model: a retry, shown beside the first answer.
    with conversation.stream(conversation.append("assistant", "", parent_id=parent, retry_of=first, model="claude-haiku", streaming=True)) as retry:
        for word in "There are 3: #12 (CDN), #40 and #41 (query cache).".split(" "):
            retry.write(word + " ")
    print(json.dumps({"conversationId": conversation.id, "firstAnswerId": first, "retryId": retry.id}))


if __name__ == "__main__":
    main()
