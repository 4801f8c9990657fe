"""The Python client against a real Easel server (EASEL_URL, EASEL_API_KEY, EASEL_CANVAS_ID).

Run by the project's test suite (tests/integration/python-client.test.ts), which starts the
server and creates the key and canvas; `python3 -m unittest discover -s tests` by hand.
"""

import json
import os
import sys
import unittest
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from easel import Client, EaselError  # noqa: E402


def by_id(tree):
    return {message["id"]: message for message in tree["messages"]}


class ClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.easel = Client()
        cls.canvas_id = os.environ["EASEL_CANVAS_ID"]

    def test_an_openai_conversation_with_a_tool_call_comes_back_as_sent(self):
        arguments = json.dumps({"city": "Porto"})
        conversation = self.easel.create_conversation(
            self.canvas_id,
            title="Porto weather",
            messages=[
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": "Weather in Porto?"},
                {"role": "assistant", "content": None, "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": arguments}}]},
                {"role": "tool", "tool_call_id": "call_1", "content": "sunny, 24 C"},
                {"role": "assistant", "content": "Sunny and 24 °C."},
            ],
        )
        self.assertEqual(len(conversation.message_ids), 5)
        tree = conversation.tree()
        messages = by_id(tree)
        line = conversation.message_ids
        self.assertEqual([messages[i]["role"] for i in line], ["system", "user", "assistant", "tool", "assistant"])
        self.assertEqual([messages[i]["parentId"] for i in line], [None] + line[:-1])
        call = messages[line[2]]["toolCalls"][0]
        self.assertEqual((call["id"], call["name"], json.loads(call["arguments"])), ("call_1", "get_weather", {"city": "Porto"}))
        self.assertEqual(messages[line[4]]["text"], "Sunny and 24 °C.")

    def test_pushing_the_same_external_id_again_duplicates_nothing(self):
        external_id = f"python-{uuid.uuid4()}"
        messages = [{"role": "user", "content": "hello"}, {"role": "assistant", "content": "hi"}]
        first = self.easel.create_conversation(self.canvas_id, messages, external_id=external_id)
        again = self.easel.create_conversation(self.canvas_id, messages, external_id=external_id)
        self.assertEqual((again.id, again.message_ids), (first.id, first.message_ids))
        self.assertEqual(len(first.tree()["messages"]), 2)

    def test_mirror_appends_only_what_is_new_even_from_a_fresh_client(self):
        external_id = f"mirror-{uuid.uuid4()}"
        messages = [{"role": "user", "content": "Plan a trip"}]
        conversation = self.easel.mirror(self.canvas_id, messages, external_id=external_id)
        messages += [{"role": "assistant", "content": "Where to?"}, {"role": "user", "content": "Japan"}]
        self.assertEqual(len(conversation.mirror(messages)), 2)
        self.assertEqual(conversation.mirror(messages), [])
        messages.append({"role": "assistant", "content": "Spring or autumn?"})
        elsewhere = Client().mirror(self.canvas_id, messages, external_id=external_id)
        self.assertEqual(elsewhere.id, conversation.id)
        tree = conversation.tree()
        self.assertEqual([m["text"] for m in sorted(tree["messages"], key=lambda m: m["createdAt"])], ["Plan a trip", "Where to?", "Japan", "Spring or autumn?"])

    def test_a_streamed_response_arrives_whole_and_in_order(self):
        conversation = self.easel.create_conversation(self.canvas_id, [{"role": "user", "content": "Count to 300"}])
        chunks = [f"{n} " for n in range(1, 301)]
        message_id = conversation.stream_response(iter(chunks), model="test-model", usage={"prompt_tokens": 5, "completion_tokens": 300})
        message = by_id(conversation.tree())[message_id]
        self.assertEqual(message["text"], "".join(chunks))
        self.assertEqual(message["status"], "complete")
        self.assertEqual(message["model"], "test-model")
        self.assertEqual(message["parentId"], conversation.message_ids[0])

    def test_deltas_and_a_retry_beside_the_first_answer(self):
        conversation = self.easel.create_conversation(self.canvas_id, [{"role": "user", "content": "Name a colour"}])
        question = conversation.last_message_id
        first = conversation.append("assistant", "Blue.")
        with conversation.stream(conversation.append("assistant", "", retry_of=first, streaming=True)) as retry:
            for delta in ["Gr", "ee", "n."]:
                retry.write(delta)
        messages = by_id(conversation.tree())
        self.assertEqual(messages[retry.id]["text"], "Green.")
        self.assertEqual(messages[retry.id]["retryOf"], first)
        self.assertEqual(messages[retry.id]["parentId"], question)
        self.assertEqual(messages[first]["parentId"], question)

    def test_searching_the_library_finds_the_canvas_by_a_word_of_its_title(self):
        found = self.easel.list_canvases(q="agent")
        self.assertIn(self.canvas_id, [canvas["id"] for canvas in found])
        self.assertEqual(self.easel.list_canvases(q="no-such-word-anywhere"), [])
        with self.assertRaises(EaselError) as bad_sort:
            self.easel.list_canvases(sort="sideways")
        self.assertEqual((bad_sort.exception.status, bad_sort.exception.code), (400, "INVALID_INPUT"))

    def test_refusals_are_easel_errors_with_the_servers_code(self):
        with self.assertRaises(EaselError) as bad_role:
            self.easel.create_conversation(self.canvas_id, [{"role": "narrator", "content": "x"}])
        self.assertEqual((bad_role.exception.status, bad_role.exception.code), (400, "INVALID_INPUT"))
        with self.assertRaises(EaselError) as missing:
            self.easel.get_conversation(str(uuid.uuid4()))
        self.assertEqual(missing.exception.status, 404)
        with self.assertRaises(EaselError) as unauthenticated:
            Client(token="easel_" + "x" * 43).get_conversation(str(uuid.uuid4()))
        self.assertEqual((unauthenticated.exception.status, unauthenticated.exception.code), (401, "UNAUTHENTICATED"))


if __name__ == "__main__":
    unittest.main()
