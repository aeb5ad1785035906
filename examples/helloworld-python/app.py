"""helloworld-python: the smallest WSGI service run by entrypoint's tasks.

GET / says hello, GET /health says ok; it listens on $PORT (default 8080)
with the standard library's server, so it needs nothing installed.
"""

import os
from wsgiref.simple_server import make_server

ROUTES = {"/": b"hello, world\n", "/health": b"ok\n"}


def app(environ, start_response):
    body = ROUTES.get(environ.get("PATH_INFO", "/"))
    if environ.get("REQUEST_METHOD", "GET") != "GET" or body is None:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found\n"]
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [body]


if __name__ == "__main__":
    port = int(os.environ.get("PORT", "8080"))
    with make_server("", port, app) as server:
        print(f"listening on :{port}", flush=True)
        server.serve_forever()
