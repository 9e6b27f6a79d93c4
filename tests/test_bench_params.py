"""``bench/relevance.py --param`` reaches the ranking constants in their layer of the tree
(search/find/, search/index/): the weights of issue 12 are tuned through it."""

import pytest

from search.find import fastsearch, query
from tests.conftest import bench_module


@pytest.fixture(scope="module")
def relevance():
    return bench_module("relevance")


def test_param_sets_a_constant_and_a_weight(relevance, monkeypatch):
    monkeypatch.setattr(fastsearch, "PROXIMITY", fastsearch.PROXIMITY)
    monkeypatch.setitem(query.RECALL_WEIGHTS, "title", query.RECALL_WEIGHTS["title"])
    relevance.set_param("fastsearch.PROXIMITY=0.75")
    relevance.set_param("query.RECALL_WEIGHTS.title=2.5")
    assert fastsearch.PROXIMITY == 0.75
    assert query.RECALL_WEIGHTS["title"] == 2.5


def test_param_naming_no_module_is_a_clear_error(relevance):
    with pytest.raises(SystemExit, match="no module"):
        relevance.set_param("nosuchmodule.X=1")
