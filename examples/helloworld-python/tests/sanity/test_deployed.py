"""Against the deployed service: `entrypoint test_sanity` polls
ENTRYPOINT_SANITY_URL's health first, then runs this with the URL in
ENTRYPOINT_SANITY_URL and SANITY_URL (SANITY_URL alone runs it without
the poll)."""

import os
import urllib.request


def test_answers_hello():
    url = os.environ.get("ENTRYPOINT_SANITY_URL") or os.environ["SANITY_URL"]
    with urllib.request.urlopen(url.rstrip("/") + "/", timeout=10) as response:
        assert (response.status, response.read()) == (200, b"hello, world\n")
