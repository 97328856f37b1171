"""core.fastjson: the JSON the bulk writers store, as the standard library would write it."""

import json
from decimal import Decimal

from core.fastjson import dumps, loads


def test_compact_and_unescaped_like_the_standard_library():
    value = {"党建": [1.5, 0.833333, None, True, "scored"], "n": 3, "q": 'say "hi"'}
    assert dumps(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    assert loads(dumps(value)) == value


def test_what_orjson_refuses_falls_back_to_the_standard_library():
    assert dumps({"big": 10**30}) == '{"big":1000000000000000000000000000000}'
    assert dumps([Decimal("1.10")]) == '["1.10"]'  # other types as text, as before
