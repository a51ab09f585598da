import pytest


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    """The live server starts after the test database exists; otherwise, when the browser
    tests run alone, its request threads open connections to a database that is not yet
    set up and never close them."""
    return live_server
