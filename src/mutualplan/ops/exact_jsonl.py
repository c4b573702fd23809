"""Django's JSON-lines serialization, with times kept to the microsecond.

Django's own JSON encoder cuts a time to the millisecond: a backup restored row by row (into
the other engine) would not hold exactly what was backed up. Registered as the
`exact-jsonl` format (SERIALIZATION_MODULES); read back by Django's own jsonl reader.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.serializers import jsonl
from django.core.serializers.json import DjangoJSONEncoder

FORMAT = "exact-jsonl"


class ExactEncoder(DjangoJSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        if isinstance(o, dt.time):
            return o.isoformat()
        return super().default(o)


class Serializer(jsonl.Serializer):
    def _init_options(self) -> None:
        super()._init_options()  # type: ignore[misc]
        self.json_kwargs["cls"] = ExactEncoder


Deserializer = jsonl.Deserializer
