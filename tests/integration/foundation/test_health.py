"""/healthz says the process is up; /readyz says whether it can serve."""

from sqlalchemy import text

from portal.extensions import db


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_readyz_when_database_is_at_head(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {"status": "ready", "database": "reachable", "migrations": "at-head"}


def test_readyz_is_503_when_migrations_are_behind(make_app, tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    app = make_app(database_url=url)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["migrations"] == "behind"


def test_readyz_and_pages_are_503_when_the_database_is_unreachable(make_app):
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1"
    app = make_app(database_url=url)
    client = app.test_client()
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json["database"] == "unreachable"


def test_a_database_failure_on_a_page_is_the_503_page_not_a_traceback(make_app):
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1"
    app = make_app(database_url=url)

    @app.get("/__test_db")
    def _touch_db():  # pragma: no cover - reached through the client
        db.session.execute(text("SELECT 1"))
        return "unreachable"

    response = app.test_client().get("/__test_db")
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "Sorry, the service is unavailable" in html and "Traceback" not in html
