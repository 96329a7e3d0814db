"""The narrative around the tables: title, headings, paragraphs, contact and signature."""
from __future__ import annotations

import datetime as _dt
import random
import re

from .variants import _HALF, _Opts


def _self_ref(agency: str) -> str:
    if agency.endswith("镇人民政府"):
        return "我镇"
    if agency.endswith("乡人民政府"):
        return "我乡"
    if agency.endswith("街道办事处"):
        return "我街道"
    if agency.endswith("人民政府"):
        m = re.search(r"(县|区|市|旗)人民政府$", agency)
        return "我" + (m.group(1) if m else "市")
    for suf, ref in (("局", "我局"), ("委员会", "我委"), ("委", "我委"), ("办公室", "我办"), ("中心", "中心"),
                     ("管委会", "管委会")):
        if agency.endswith(suf):
            return ref
    return "我单位"


def report_title(agency: str, year: int, form: int) -> tuple[str, str]:
    """The report title in one of three real forms, and its two-line split (first part, second part)."""
    if form == 1:
        return f"{agency}关于", f"{year}年政府信息公开年度工作报告"
    if form == 2:
        return agency, f"{year}年度政府信息公开工作报告"
    return agency, f"{year}年政府信息公开工作年度报告"


_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂"


def _contact(rng: random.Random, rare: bool) -> str:
    name = rng.choice(_SURNAMES) + ("䶮" if rare else rng.choice(_GIVEN) + rng.choice(_GIVEN))
    return name


def _p(text: str, style: str) -> str:
    if style == "bare":
        return ("<p class=MsoNormal style='text-indent:32.0pt;line-height:28.0pt'><span "
                f"style='font-size:16.0pt;font-family:仿宋_GB2312'>{text}</span></p>")
    return f'<p style="text-indent:2em;">{text}</p>'


def _h(text: str, style: str, level: int, rng_pick: int) -> str:
    if style == "bare":
        font = "黑体" if level == 1 else "楷体_GB2312"
        return (f"<p class=MsoNormal style='text-indent:32.0pt;line-height:28.0pt'><span "
                f"style='font-size:16.0pt;font-family:{font}'>{text}</span></p>")
    if level == 1:
        forms = (f'<p style="text-indent:2em;"><strong>{text}</strong></p>', f"<h3>{text}</h3>",
                 f'<p style="text-indent:2em;"><span style="font-family:黑体">{text}</span></p>')
    else:
        forms = (f'<p style="text-indent:2em;"><strong>{text}</strong></p>',
                 f'<p style="text-indent:2em;"><span style="font-family:楷体">{text}</span></p>',
                 f'<p style="text-indent:2em;">{text}</p>')
    return forms[rng_pick % len(forms)]


def _narrative(truth: dict, o: _Opts, rng: random.Random, site: str, contact: str) -> dict[str, list[str]]:
    """Paragraph texts per section number (1, 5, 6) and the intro ("0")."""
    agency = truth.get("agency") or "本机关"
    y = truth["report_year"]
    we = _self_ref(agency)
    cells = truth["cells"]
    half = o.v["halfwidth"]

    def sub(i: int, text: str) -> str:
        label = f"（{'一二三四五六七'[i]}）{text}"
        return label.translate(_HALF) if half else label

    fmt_doc = "国办公开办函〔2021〕30号" if truth["template"] == "2021" else "国办公开办函〔2019〕60号"
    tel = f"0{rng.randint(510, 939)}-{rng.randint(2000000, 8999999)}"
    intro = (f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《中华人民共和国政府信息公开工作年度报告格式》"
             f"（{fmt_doc}）要求编制。全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
             f"政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。"
             f"本报告所列数据的统计期限自{y}年1月1日起至{y}年12月31日止。本报告电子版可在“{site}”门户网站查阅。"
             f"如对本报告有疑问，请与{agency}办公室联系（联系人：{contact}；电话：{tel}）。")
    n_active = rng.randint(30, 900)
    a = rng.randint(1, max(2, n_active // 4))
    b = rng.randint(1, max(2, n_active // 5))
    new_total = cells.get("apply.new.total")
    granted_total = cells.get("apply.granted.total")
    if not new_total:
        apply_text = f"{y}年，{we}未收到政府信息公开申请。"
    else:
        apply_text = (f"{y}年，{we}共收到政府信息公开申请{new_total}件，上年结转{cells.get('apply.carried_over.total') or 0}件，"
                      f"其中予以公开{granted_total or 0}件，所有申请均在法定期限内予以答复"
                      + (f"，结转下年度继续办理{cells['apply.carried_forward.total']}件。" if cells.get("apply.carried_forward.total")
                         else "。"))
    rec = cells.get("review.reconsideration.total") or 0
    suits = (cells.get("review.suit_direct.total") or 0) + (cells.get("review.suit_after.total") or 0)
    apply_text += (f"全年因政府信息公开引发行政复议{rec}件、行政诉讼{suits}件。" if rec or suits
                   else "全年未发生因政府信息公开引发的行政复议、行政诉讼案件。")
    s1 = [
        sub(0, "主动公开情况"),
        (f"{y}年，{we}坚持以公开为常态、不公开为例外，通过门户网站、政务新媒体、公开栏等渠道主动公开政府信息{n_active}条，"
         f"其中政策文件类信息{a}条、工作动态类信息{b}条，及时公开财政预决算、“三公”经费、重大项目批准和实施等重点领域信息。"),
        sub(1, "依申请公开情况"),
        apply_text + "严格执行申请登记、审核、办理、答复、归档等工作制度，依法保障公众知情权。",
        sub(2, "政府信息管理"),
        rng.choice((
            "严格落实公开属性源头认定机制，对拟公开的政府信息依法依规进行保密审查，坚持“先审查、后公开”和“一事一审”原则，全年未发生失泄密事件。",
            "健全政府信息发布审核制度，落实“三审三校”要求，动态调整主动公开基本目录，及时清理过时失效信息。",
        )),
        sub(3, "平台建设"),
        rng.choice((
            f"依托{site}集约化平台，持续优化政府信息公开专栏，规范栏目设置和内容发布，提升公开专栏的权威性和实用性。",
            "加强政务新媒体管理，做好政府网站与政务新媒体的信息同步发布，畅通政民互动渠道，及时回应社会关切。",
        )),
        sub(4, "监督保障"),
        (f"成立由主要负责同志任组长的政务公开工作领导小组，将政务公开工作纳入年度绩效考核。"
         f"全年开展政务公开业务培训{rng.randint(1, 6)}次，参训{rng.randint(10, 180)}人次。"
         + (f"已于{y}年1月在门户网站发布《{agency}{y - 1}年政府信息公开工作年度报告》。" if rng.random() < 0.5 else "")),
    ]
    s5 = [
        rng.choice((
            f"{y}年，{we}政府信息公开工作取得了一定成效，但仍存在一些不足：一是公开内容不够全面，部分信息更新不够及时；"
            "二是政策解读形式较为单一，图解、视频等多元化解读偏少；三是工作人员业务能力有待进一步提升。",
            f"对照上级要求，{we}政府信息公开工作仍存在主动公开的深度和广度不够、信息发布的及时性有待提高等问题。",
        )),
        rng.choice((
            f"下一步，{we}将从以下几个方面加以改进：一是进一步拓展公开内容，加大重点领域信息公开力度；"
            "二是丰富政策解读形式，提高解读质量；三是加强业务培训，提升工作人员的业务水平和责任意识。",
            "针对上述问题，我们将进一步健全工作机制，加强信息发布审核，定期开展栏目内容自查，确保信息公开及时、准确、全面。",
        )),
    ]
    if truth["template"] == "2021":
        s6 = [rng.choice((
            f"依据《政府信息公开信息处理费管理办法》，本年度{we}未收取信息处理费。",
            f"本年度{we}未发出收费通知，未收取信息处理费。无其他需要报告的事项。",
        ))]
    else:
        s6 = [rng.choice(("本年度无其他需要报告的事项。", f"{y}年，{we}未收取政府信息公开相关费用。"))]
    return {"0": [intro], "1": s1, "5": s5, "6": s6}


def _cn_date(iso: str) -> str:
    d = _dt.date.fromisoformat(iso)
    return f"{d.year}年{d.month}月{d.day}日"
