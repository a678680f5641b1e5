from tests.signin import client  # noqa: F401
