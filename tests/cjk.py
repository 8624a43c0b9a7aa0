"""Chinese outside quotes: what an English message must not hold, apart from the values it quotes ('…')
and the evidence it names (a file, a YAML path, a sheet or column of the workbook, a name of the pack)."""

from __future__ import annotations

import re

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
QUOTED = re.compile(r"'[^'\n]*'")


def cjk_outside_quotes(text: str, evidence: tuple[str, ...] = ()) -> list[str]:
    """The Chinese characters of ``text`` once the quoted values and each ``evidence`` string are removed."""
    for item in sorted(evidence, key=len, reverse=True):
        if item:
            text = text.replace(item, "")
    return CJK.findall(QUOTED.sub("''", text))
