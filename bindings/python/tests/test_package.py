"""The installed package: its name, what it installs, its protocol version."""

import importlib.metadata
import importlib.util
import os
import unittest

import x_signaling


class PackageTest(unittest.TestCase):
    def test_installs_only_x_signaling(self):
        files = [str(f) for f in importlib.metadata.files("x-signaling")]
        self.assertIn("x_signaling/v1/signaling_pb2.py", files)
        self.assertIn("x_signaling/v1/signaling_pb2.pyi", files)
        self.assertIn("x_signaling/py.typed", files)
        outside = [f for f in files if not f.startswith(("x_signaling/", "x_signaling-"))]
        self.assertEqual(outside, [])
        self.assertIsNone(importlib.util.find_spec("x"), "a top-level package named x is installed")

    def test_schema_modules_are_inside_the_package(self):
        from x_signaling.v1 import signaling_pb2

        self.assertEqual(signaling_pb2.ClientMessage.__module__, "x_signaling.v1.signaling_pb2")
        # The descriptors keep the schema's own names: the wire and JSON are the same in every language.
        self.assertEqual(signaling_pb2.ClientMessage.DESCRIPTOR.full_name, "x.signaling.v1.ClientMessage")
        self.assertEqual(signaling_pb2.DESCRIPTOR.name, "x/signaling/v1/signaling.proto")

    def test_protocol_version_is_that_of_the_typescript_package(self):
        expected = os.environ.get("X_EXPECTED_PROTOCOL_VERSION")
        if expected is None:
            self.fail("set X_EXPECTED_PROTOCOL_VERSION to @x/protocol's PROTOCOL_VERSION")
        self.assertEqual(x_signaling.PROTOCOL_VERSION, int(expected))
        self.assertLessEqual(x_signaling.MIN_PROTOCOL_VERSION, x_signaling.PROTOCOL_VERSION)

    def test_runs_from_the_installed_wheel(self):
        self.assertIn("site-packages", x_signaling.__file__)


if __name__ == "__main__":
    unittest.main()
