"""verify_webhook: the signature the server sends, checked as a receiver would."""

import unittest

from x_signaling import WebhookVerificationError, sign_webhook, verify_webhook

SECRET = "s" * 40
BODY = b'{"id":"e1","event":"peer_joined","createdAt":1,"room":{"id":"r"},"peer":{"name":"alice"}}'


class WebhookTest(unittest.TestCase):
    def test_a_signed_body_verifies_and_parses(self):
        header = sign_webhook(BODY, SECRET, timestamp=1_000)
        event = verify_webhook(BODY, header, SECRET, now=1_010)
        self.assertEqual((event["event"], event["peer"]["name"]), ("peer_joined", "alice"))

    def test_the_same_vector_as_typescript_and_go(self):
        # signWebhook(BODY, SECRET, 1000) of @x/server gives this header (its test and Go's check the same one).
        self.assertEqual(sign_webhook(BODY, SECRET, timestamp=1_000), "t=1000,v1=e7a180258ac49e114e96c21c5b9f8cf15d40f7acb6659cc065328e6059d53fb5")

    def test_refusals(self):
        header = sign_webhook(BODY, SECRET, timestamp=1_000)
        for body, head, secret, now, code in [
            (BODY, None, SECRET, 1_000, "MISSING_SIGNATURE"),
            (BODY, "t=x,v1=y", SECRET, 1_000, "BAD_SIGNATURE"),
            (BODY + b" ", header, SECRET, 1_000, "BAD_SIGNATURE"),
            (BODY, header, "t" * 40, 1_000, "BAD_SIGNATURE"),
            (BODY, header, SECRET, 1_301, "EXPIRED"),
        ]:
            with self.assertRaises(WebhookVerificationError) as caught:
                verify_webhook(body, head, secret, now=now)
            self.assertEqual(caught.exception.code, code)


if __name__ == "__main__":
    unittest.main()
