from tests.signin import client  # noqa: F401  (signed in: these tests are about the pages)
