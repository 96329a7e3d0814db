"""Which version of the national format a report is printed in, decided from its labels.

The year is no guide: 2021 reports printed with the 2019 columns exist.  Each version has column
and row labels the other lacks (template.md, "Two versions of the format").
"""
from __future__ import annotations

SIGNS = {
    "2019": ("本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "本年增/减", "第二十条第(九)项",
             "政府集中采购", "采购总金额", "处理决定数量"),
    "2021": ("本年制发件数", "本年废止件数", "现行有效件数", "本年收费金额", "本年处理决定数量", "逾期不补正",
             "收费通知要求缴纳费用", "行政规范性文件"),
}
# "处理决定数量" is also inside 2021's "本年处理决定数量": counted for 2019 only when not preceded by 本年.


def detect_template(squashed_text: str) -> tuple[str | None, dict[str, int]]:
    """Return ("2019" | "2021" | None, hits per version); squashed_text is squash(text)."""
    hits = {}
    for version, signs in SIGNS.items():
        n = 0
        for sign in signs:
            if sign == "处理决定数量":
                n += squashed_text.count(sign) > squashed_text.count("本年" + sign)
            else:
                n += sign in squashed_text
        hits[version] = n
    if hits["2019"] == hits["2021"] == 0:
        return None, hits
    if hits["2019"] == hits["2021"]:
        return None, hits
    return ("2019" if hits["2019"] > hits["2021"] else "2021"), hits
