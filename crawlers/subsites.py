"""Department and township sub-sites: a county's 部门信息公开 / 乡镇信息公开 pages are directories of units.

On provincial platforms a county's own 年报 column holds the county government's reports; each department and
township publishes in the 年报 column of its own sub-site (a path sub-tree such as `/xxgk/xzxxgk/{slug}/` on
JPaaS, another `area` of the Hanweb 信息公开目录, another SID on gkmlpt). The county's 部门信息公开 and 乡镇信息公开
pages list those units: "部门信息公开目录页，非文档列表" in a Jiangsu crawler's table of failures for seven
districts (FINDINGS.md §3, id 68717175880); 会宁县's 乡镇信息公开 lists its 28 townships as links to their own
sub-trees (ids 69523891150, 69884298028). The crawler follows such a directory and each unit link in it, and
looks for each unit's 年报 column as for the county's, all as part of the county's portal.
"""
from __future__ import annotations

import re

from core.titles import is_column_title, is_report_title, norm

# A link to a directory of units: 部门信息公开, 乡镇（街道）信息公开, 县直部门政府信息公开, 镇街信息公开平台 …
_DIRECTORY = re.compile(r"^(县直|区直|市直|旗直)?(部门|单位|乡镇|镇街|街镇|街道|乡镇街道|乡镇（街道）|乡镇\(街道\)|镇（街道）|"
                        r"县直部门|区直部门|市直部门|部门和乡镇|乡镇和部门)(政府)?(信息公开|政务公开)(目录|平台|专栏)?$")
# The name of a unit: ends like an agency or a township does.
_UNIT = re.compile(r"(局|委员会|委|办公室|办|中心|镇|乡|街道|街道办事处|人民政府|管理委员会|管委会|分局|大队|支队|"
                   r"服务中心|事务中心|研究室|院|馆|站|社|会|署|所|处|团|场|区|苏木)$")
_NOT_UNIT = re.compile(r"(首页|公开|指南|制度|年报|目录|网站|地图|联系我们|更多|返回|上一页|下一页|登录|注册|English|新闻|互动|"
                       r"走进|专题|办事|服务中心$)")
MAX_UNITS = 200  # unit sub-sites followed per portal at most


def is_unit_directory(text: str) -> bool:
    """A link text that names a directory of department or township sub-sites."""
    return bool(_DIRECTORY.match(norm(text).replace(" ", "")))


def is_unit_name(text: str) -> bool:
    """A link text that names one unit (a department or a township) on a directory page."""
    t = norm(text).replace(" ", "")
    if not 2 <= len(t) <= 30 or is_report_title(t) or is_column_title(t) or _NOT_UNIT.search(t):
        return False
    return bool(_UNIT.search(t))
