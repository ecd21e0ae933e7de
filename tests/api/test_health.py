from tests.conftest import sql


def test_healthz_and_readyz(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"


def test_readyz_is_503_when_schema_is_behind(make_client, pg, fresh_db, fresh_url):
    sql(pg, fresh_db, "UPDATE alembic_version SET version_num = 'older'")
    response = make_client(fresh_url).get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "migrations pending"


def test_readyz_is_503_when_database_is_gone(make_client, pg):
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{pg.port_file.read_text().strip()}/no_such_db"
    response = make_client(url).get("/readyz")
    assert response.status_code == 503
