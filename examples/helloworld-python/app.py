"""helloworld-python: the classic small HTTP service, run by entrypoint.

GET / says hello (with the version it runs in X-Version), GET /health says
ok. gunicorn serves it on $PORT (the Procfile's web entry); SIGTERM stops
it gracefully. HELLO_UNHEALTHY=1 makes /health answer 503: a version that
must never take traffic.
"""

import os

from flask import Flask, Response


def create_app(version="", unhealthy=False):
    app = Flask(__name__)

    @app.get("/")
    def hello():
        headers = {"X-Version": version} if version else {}
        return Response("hello, world\n", mimetype="text/plain", headers=headers)

    @app.get("/health")
    def health():
        if unhealthy:
            return Response("unhealthy on purpose (HELLO_UNHEALTHY=1)\n", status=503, mimetype="text/plain")
        return Response("ok\n", mimetype="text/plain")

    return app


app = create_app(os.environ.get("VERSION", ""), os.environ.get("HELLO_UNHEALTHY") == "1")
