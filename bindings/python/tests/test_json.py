"""appData as JsonValue: order kept, anything JSON cannot carry refused with NOT_JSON."""

import math
import unittest

from x_signaling import MAX_JSON_DEPTH, ProtocolError, json_from_message, json_to_message


class JsonValueTest(unittest.TestCase):
    def test_round_trip_keeps_member_order(self):
        value = {"b": 1, "a": [None, True, "x", 2.5, {"nested": []}], "": {}}
        message = json_to_message(value)
        self.assertEqual([m.key for m in message.object_value.members], ["b", "a", ""])
        back = json_from_message(message)
        self.assertEqual(back, value)
        self.assertEqual(list(back), ["b", "a", ""])
        self.assertIsInstance(back["b"], int)

    def test_tuples_are_arrays(self):
        self.assertEqual(json_from_message(json_to_message((1, 2))), [1, 2])

    def test_what_json_cannot_carry_is_refused(self):
        for bad in (math.nan, math.inf, {1: "x"}, {"set": {1, 2}}, b"bytes"):
            with self.assertRaises(ProtocolError) as caught:
                json_to_message(bad)
            self.assertEqual(caught.exception.code, "NOT_JSON", bad)

    def test_nesting_is_limited(self):
        deep = []
        for _ in range(MAX_JSON_DEPTH):
            deep = [deep]
        with self.assertRaises(ProtocolError) as caught:
            json_to_message(deep)
        self.assertEqual(caught.exception.code, "NOT_JSON")
        json_to_message(deep[0])  # one level less is fine

    def test_cycles_are_refused(self):
        cycle = []
        cycle.append(cycle)
        with self.assertRaises(ProtocolError):
            json_to_message(cycle)


if __name__ == "__main__":
    unittest.main()
