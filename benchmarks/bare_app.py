"""The yardstick: a bare Flask endpoint returning a fixed small JSON, served by the same
gunicorn settings as the portal (``gunicorn -w 2 benchmarks.bare_app:app``)."""

from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/bare")
def bare():  # type: ignore[no-untyped-def]
    return jsonify({"decision": "permit", "basis": "default-opt-out"})
