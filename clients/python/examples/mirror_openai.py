"""An agent loop in the OpenAI chat format, mirrored onto a canvas turn by turn.

The model is simulated here (no network but Easel's); with the OpenAI SDK, pass
`(chunk.choices[0].delta.content or "" for chunk in stream)` to `stream_response` instead.

    EASEL_URL=http://localhost:5173 EASEL_API_KEY=easel_... EASEL_CANVAS_ID=<uuid> python3 mirror_openai.py
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from easel import Client  # noqa: E402


def fake_model_stream(text):
    """Yields a reply a few characters at a time, like a streaming model."""
    for start in range(0, len(text), 6):
        time.sleep(0.01)
        yield text[start : start + 6]


def main():
    easel = Client()  # EASEL_URL and EASEL_API_KEY from the environment
    canvas_id = os.environ["EASEL_CANVAS_ID"]
    messages = [
        {"role": "system", "content": "You are a travel assistant. Use tools for facts."},
        {"role": "user", "content": "What's the weather in Lisbon, and should I pack an umbrella?"},
    ]
    conversation = easel.mirror(canvas_id, messages, external_id="example-weather-run-1", title="Weather agent")

    # Turn 1: the model calls a tool.
    messages.append(
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "call_weather_1", "type": "function", "function": {"name": "get_weather", "arguments": json.dumps({"city": "Lisbon"})}}
            ],
        }
    )
    messages.append({"role": "tool", "tool_call_id": "call_weather_1", "content": json.dumps({"forecast": "rain", "high_c": 17})})
    conversation.mirror(messages)

    # Turn 2: the answer streams onto the canvas as the model writes it.
    answer = "It will rain in **Lisbon** today (high of 17 °C), so yes: pack an umbrella."
    message_id = conversation.stream_response(
        fake_model_stream(answer), model="gpt-4o-mini", usage={"prompt_tokens": 91, "completion_tokens": 23}
    )
    messages.append({"role": "assistant", "content": answer})
    print(json.dumps({"conversationId": conversation.id, "answerId": message_id}))


if __name__ == "__main__":
    main()
