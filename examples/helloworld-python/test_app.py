import os

from app import app


def get(path):
    status = []
    body = b"".join(app({"PATH_INFO": path, "REQUEST_METHOD": "GET"}, lambda s, h: status.append(s)))
    return status[0], body


def test_hello():
    fail_on_purpose = os.environ.get("HELLO_FAIL") == "1"
    assert not fail_on_purpose, "HELLO_FAIL=1: failing on purpose"
    assert get("/") == ("200 OK", b"hello, world\n")


def test_health():
    assert get("/health") == ("200 OK", b"ok\n")


def test_unknown_path_is_not_found():
    assert get("/nope")[0] == "404 Not Found"
