import os

from app import create_app


def get(path, **kw):
    response = create_app(**kw).test_client().get(path)
    return response.status_code, response.get_data(as_text=True), response.headers


def test_hello():
    fail_on_purpose = os.environ.get("HELLO_FAIL") == "1"
    assert not fail_on_purpose, "HELLO_FAIL=1: failing on purpose"
    assert get("/")[:2] == (200, "hello, world\n")


def test_health():
    assert get("/health")[:2] == (200, "ok\n")


def test_unknown_path_is_not_found():
    assert get("/nope")[0] == 404


def test_version_and_unhealthy():
    assert get("/", version="v2")[2]["X-Version"] == "v2"
    assert get("/health", unhealthy=True)[0] == 503
