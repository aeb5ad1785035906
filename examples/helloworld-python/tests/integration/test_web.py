"""Against the service started by `entrypoint test_integration` from
compose.yaml: WEB_URL is the address of its web service."""

import os
import urllib.request


def get(path):
    with urllib.request.urlopen(os.environ["WEB_URL"] + path, timeout=10) as response:
        return response.status, response.read().decode()


def test_hello():
    assert get("/") == (200, "hello, world\n")


def test_health():
    assert get("/health") == (200, "ok\n")
