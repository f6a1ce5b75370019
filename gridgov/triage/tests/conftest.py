from __future__ import annotations

from collections.abc import Iterator

import pytest

from gridgov.triage.corpus import Example
from gridgov.triage.model import TriageModel

#: A tiny handwritten training set: enough for the engine's plumbing, independent of the real corpus.
TINY = [
    Example("河里漂着好多垃圾和水草", "water", False, "complaint"),
    Example("河道水面发黑发臭", "water", False, "complaint"),
    Example("有人掉进河里了快来人", "water", True, "help"),
    Example("河边排污口偷偷往河里排污水", "water", False, "tip_off"),
    Example("路灯坏了晚上很黑", "road", False, "complaint"),
    Example("路面有个大坑电动车摔了", "road", False, "complaint"),
    Example("拐弯处建议装个凸面镜", "road", False, "suggestion"),
    Example("桥面护栏断了", "road", False, "complaint"),
    Example("隔壁邻居因为宅基地吵架", "dispute", False, "help"),
    Example("兄弟两个为了老房子分家闹矛盾", "dispute", False, "help"),
    Example("邻居家的树挡了我家阳光吵了好几次", "dispute", False, "complaint"),
    Example("两家为排水沟的事情争执不下", "dispute", False, "help"),
    Example("麦田里有人在烧秸秆火很大", "agriculture", True, "tip_off"),
    Example("田里正在焚烧秸秆浓烟滚滚", "agriculture", True, "tip_off"),
    Example("秸秆堆在田头没人管", "agriculture", False, "complaint"),
    Example("昨天有人烧过秸秆现在已经灭了", "agriculture", False, "tip_off"),
    Example("咨询今年的种粮补贴怎么领", "agriculture", False, "consultation"),
    Example("灌溉渠堵了水放不进田", "agriculture", False, "help"),
]


@pytest.fixture(scope="session")
def tiny_model() -> TriageModel:
    return TriageModel.fit(TINY)


@pytest.fixture(autouse=True)
def _forget_loaded_model() -> Iterator[None]:
    """Tests create and roll back model versions; no process-level model may outlive its test."""
    from gridgov.triage import registry

    yield
    registry.forget_model()
