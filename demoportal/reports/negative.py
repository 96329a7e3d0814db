"""Negative documents: guide, news, legacy report, attachment-only and image-only pages."""
from __future__ import annotations


from .chrome import _CHROME, _credit_code, _domain, _short_agency, _site_name, _time_of_day, _title_html
from .narrative import _self_ref
from .regions import _region_parts, region_for_agency
from .truth import _default_published, _rng
from .variants import SPECIAL_KINDS, STYLES, VARIANTS


def render_special_page(kind: str, agency: str, year: int, seed: int = 0, style: str = "trs",
                        published: str | None = None) -> tuple[str, dict]:
    """A page that is not a normal report: (html, truth).

    kinds: "guide" (政府信息公开指南, not_a_report), "news" (a news item mentioning 年度报告, not_a_report),
    "legacy" (a pre-2019 report with old-style tables, legacy_format), "attachment_only" (详见附件 with a PDF link,
    no_tables), "images_only" (the report as <img> tags, title （图片版）, no_tables).
    """
    if kind not in SPECIAL_KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {SPECIAL_KINDS}")
    if style not in STYLES or style == "gkmlpt":
        raise ValueError("special pages use styles trs, hanweb, generic or bare")
    rng = _rng("special", kind, agency, year, seed)
    if published is None:
        published = _default_published(rng, year, agency)
    we = _self_ref(agency)
    site, area = _site_name({"agency": agency})
    status = "not_a_report"
    t_year: int | None = None
    t_agency: str | None = None
    paras: list[str]
    title: str
    if kind == "guide":
        title = f"{agency}政府信息公开指南"
        paras = [
            "为了更好地提供政府信息公开服务，根据《中华人民共和国政府信息公开条例》（以下简称《条例》）规定，编制本指南。"
            "申请人在提出政府信息公开申请前，请仔细阅读本指南。本指南每年更新。",
            "<strong>一、主动公开</strong>",
            f"（一）公开范围。{we}按照《条例》第十九条、第二十条的规定，主动公开本机关的机构职能、规范性文件、发展规划、"
            "行政许可、行政处罚、财政预决算等政府信息。",
            "（二）公开方式。主要通过门户网站“政府信息公开”专栏公开，同时通过政务新媒体、新闻发布会、公开栏等方式予以公开。",
            "（三）公开时限。属于主动公开范围的政府信息，自该政府信息形成或者变更之日起20个工作日内予以公开。",
            "<strong>二、依申请公开</strong>",
            "（一）受理机构。名称：办公室；办公时间：工作日上午8:30—12:00，下午14:30—17:30（法定节假日除外）。",
            "（二）申请方式。申请人可以通过当面提交、邮寄、网络平台等方式提出申请，并填写《政府信息公开申请表》。",
            "（三）办理时限。能够当场答复的，当场予以答复；不能当场答复的，自收到申请之日起20个工作日内予以答复。",
            f"<strong>三、政府信息公开工作年度报告</strong>",
            f"{we}于每年1月31日前在门户网站公布上一年度政府信息公开工作年度报告。",
            "<strong>四、监督和救济</strong>",
            "公民、法人或者其他组织认为行政机关在政府信息公开工作中侵犯其合法权益的，可以依法申请行政复议或者提起行政诉讼。",
        ]
    elif kind == "news":
        title = f"{agency}召开{year + 1}年政务公开工作推进会"
        paras = [
            f"{year + 1}年1月{rng.randint(10, 28)}日，{agency}召开{year + 1}年政务公开工作推进会，总结{year}年政务公开工作，"
            f"部署{year + 1}年重点任务。",
            f"会议指出，{year}年全年主动公开政府信息{rng.randint(200, 900)}条，办理依申请公开{rng.randint(3, 40)}件，"
            f"已按时编制并发布《{agency}{year}年政府信息公开工作年度报告》，政务公开标准化规范化水平不断提升。",
            f"会议要求，各单位要严格落实《条例》规定，于1月31日前完成{year}年度政府信息公开工作年度报告的编制和公布，"
            "规范使用国办统一的年度报告格式，确保数据准确、勾稽关系正确。",
            "会议还对政府网站和政务新媒体管理、政策解读和回应关切等工作进行了安排。",
        ]
    elif kind == "legacy":
        status = "legacy_format"
        t_year, t_agency = year, agency
        title = f"{agency}{year}年政府信息公开工作年度报告"
        n1, n2, n3 = rng.randint(80, 600), rng.randint(5, 60), rng.randint(0, 12)
        paras = [
            f"根据《中华人民共和国政府信息公开条例》（国务院令第492号）规定，现公布{agency}{year}年政府信息公开工作年度报告。"
            f"报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。",
            "<strong>一、概述</strong>",
            f"{year}年，{we}认真贯彻落实《条例》，进一步健全政府信息公开工作机制，政府信息公开工作取得新进展。",
            "<strong>二、主动公开政府信息的情况</strong>",
            f"全年主动公开政府信息{n1}条，其中规范性文件{n2}条。通过政府网站公开{n1 - 10}条，通过政务微博、微信公开{rng.randint(20, 200)}条。",
            "<strong>三、依申请公开政府信息情况</strong>",
            f"全年共受理政府信息公开申请{n3}件，已全部按期答复。其中同意公开{max(0, n3 - 2)}件，不予公开{min(n3, 1)}件，"
            f"信息不存在{min(n3, 1)}件。",
            "<strong>四、政府信息公开的收费及减免情况</strong>",
            "本年度未收取任何费用。",
            "<strong>五、因政府信息公开申请行政复议、提起行政诉讼的情况</strong>",
            "全年未发生针对本机关政府信息公开事务的行政复议、行政诉讼和申诉案件。",
            "<strong>六、存在的主要问题和改进措施</strong>",
            "一是信息公开的及时性有待进一步提高；二是公开内容还不够全面。下一步将进一步加强制度建设，提高公开质量。",
        ]
        table = ('<table border="1" cellspacing="0" cellpadding="4" width="90%" style="border-collapse:collapse">\n'
                 "<tr><td>指标名称</td><td>单位</td><td>数量</td></tr>\n"
                 f"<tr><td>一、主动公开情况</td><td></td><td></td></tr>\n"
                 f"<tr><td>（一）主动公开政府信息数</td><td>条</td><td>{n1}</td></tr>\n"
                 f"<tr><td>其中：主动公开规范性文件数</td><td>条</td><td>{n2}</td></tr>\n"
                 f"<tr><td>二、依申请公开情况</td><td></td><td></td></tr>\n"
                 f"<tr><td>（一）收到申请数</td><td>件</td><td>{n3}</td></tr>\n"
                 f"<tr><td>1.当面申请数</td><td>件</td><td>{max(0, n3 - 3)}</td></tr>\n"
                 f"<tr><td>2.网络申请数</td><td>件</td><td>{min(n3, 3)}</td></tr>\n"
                 f"<tr><td>（二）申请答复数</td><td>件</td><td>{n3}</td></tr>\n"
                 "<tr><td>三、因政府信息公开申请行政复议数</td><td>件</td><td>0</td></tr>\n"
                 "<tr><td>四、因政府信息公开申请提起行政诉讼数</td><td>件</td><td>0</td></tr>\n"
                 "<tr><td>五、政府信息公开专项经费</td><td>万元</td><td>1.5</td></tr>\n</table>")
        paras.insert(7, "附表：政府信息公开情况统计表" + "\n" + table)
    elif kind == "attachment_only":
        status = "no_tables"
        t_year, t_agency = year, agency
        title = f"{agency}{year}年政府信息公开工作年度报告"
        paras = [f"{agency}{year}年政府信息公开工作年度报告详见附件。",
                 f'附件：<a href="./P0{published.replace("-", "")}{rng.randint(100000000, 999999999)}.pdf">'
                 f"{agency}{year}年政府信息公开工作年度报告.pdf</a>"]
    else:  # images_only
        status = "no_tables"
        t_year, t_agency = year, agency
        title = f"{agency}{year}年政府信息公开工作年度报告（图片版）"
        stem = f"W0{published.replace('-', '')}{rng.randint(10000, 99999)}"
        paras = [f'<img src="./{stem}_{i}.jpg" alt="" width="700" border="0" style="display:block;margin:0 auto;">'
                 for i in range(1, rng.randint(4, 7))]
    body = "\n".join(p if p.startswith("<img") or p.startswith("附表") else f'<p style="text-indent:2em;">{p}</p>'
                     for p in paras).replace("附表：政府信息公开情况统计表\n", "<p>附表：政府信息公开情况统计表</p>\n")
    content = body
    if style == "bare":
        content = _title_html(title, "", style, False) + "\n" + body
    ctx = {
        "title": title, "title_html": "" if style == "bare" else _title_html(title, "", style, False), "agency": agency, "site": site, "domain": _domain(site), "area": area,
        "page_date": published, "page_time": _time_of_day(rng), "year": year, "parts": _region_parts(agency),
        "credit": _credit_code(agency, area), "serial": rng.randint(100, 99999), "docid": rng.randint(1000000, 9999999),
        "short": _short_agency(agency, _region_parts(agency)), "decoys": [],
    }
    v = {name: False for name in VARIANTS}
    page = _CHROME[style](content, ctx, v, rng)
    truth = {
        "document": f"special_{kind}_{seed}.html",
        "status": status,
        "template": None,
        "report_year": t_year,
        "agency": t_agency,
        "published": published,
        "region": region_for_agency(agency),
        "units": {},
        "note": "",
        "cells": {},
    }
    return page, truth
