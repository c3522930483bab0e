"""The bundled knowledge base and its search engine, built once for the search tests."""

import pytest

from knowledge.loader import load_kb
from knowledge.search import SearchEngine


@pytest.fixture(scope="session")
def kb():
    return load_kb(strict=False)


@pytest.fixture(scope="session")
def engine(kb):
    return SearchEngine(kb)
