"""Administrative-division codes (GB/T 2260) for the first six digits of an ID number, read
from an address: every provincial capital and the four municipalities, and the districts of a
few large cities. An address none of them names cannot be coded (the caller refuses it or
takes an explicit area code)."""

from __future__ import annotations

# Districts first: the most precise match wins.
DISTRICTS: dict[str, str] = {
    "北京市东城区": "110101",
    "北京市西城区": "110102",
    "北京市朝阳区": "110105",
    "北京市丰台区": "110106",
    "北京市海淀区": "110108",
    "上海市黄浦区": "310101",
    "上海市徐汇区": "310104",
    "上海市浦东新区": "310115",
    "天津市和平区": "120101",
    "重庆市渝中区": "500103",
    "广州市越秀区": "440104",
    "广州市天河区": "440106",
    "深圳市罗湖区": "440303",
    "深圳市福田区": "440304",
    "深圳市南山区": "440305",
    "杭州市西湖区": "330106",
    "南京市玄武区": "320102",
    "武汉市武昌区": "420106",
    "成都市武侯区": "510107",
}

# Cities: the four municipalities and every provincial capital (and Shenzhen), each coded as
# its first district (the municipalities) or its urban area, 市辖区 (the capitals).
CITIES: dict[str, str] = {
    "北京": "110101",
    "天津": "120101",
    "上海": "310101",
    "重庆": "500101",
    "石家庄": "130101",
    "太原": "140101",
    "呼和浩特": "150101",
    "沈阳": "210101",
    "长春": "220101",
    "哈尔滨": "230101",
    "南京": "320101",
    "杭州": "330101",
    "合肥": "340101",
    "福州": "350101",
    "南昌": "360101",
    "济南": "370101",
    "郑州": "410101",
    "武汉": "420101",
    "长沙": "430101",
    "广州": "440101",
    "深圳": "440301",
    "南宁": "450101",
    "海口": "460101",
    "成都": "510101",
    "贵阳": "520101",
    "昆明": "530101",
    "拉萨": "540101",
    "西安": "610101",
    "兰州": "620101",
    "西宁": "630101",
    "银川": "640101",
    "乌鲁木齐": "650101",
}


def area_for_address(address: str) -> str | None:
    """The area code an address names (a district, else its city), or None."""
    text = address.replace(" ", "")
    for prefix, code in DISTRICTS.items():
        city, district = prefix.split("市", 1)
        if f"{city}市" in text and district in text:
            return code
    for city, code in CITIES.items():
        if city in text:
            return code
    return None


def known_places() -> str:
    return "、".join(CITIES)


def address_prefixes() -> dict[str, str]:
    """Every area code the tables above can give, with the start of an address that codes to
    it (``北京市朝阳区``, ``广州市``): a district's where there is one, else its city's."""
    prefixes = {code: prefix for prefix, code in DISTRICTS.items()}
    for city, code in CITIES.items():
        prefixes.setdefault(code, f"{city}市")
    return dict(sorted(prefixes.items()))


def issuing_authority(area: str) -> str:
    """The police office that issues cards in ``area`` (签发机关), as cards print it:
    ``北京市公安局朝阳分局`` for a district, ``广州市公安局`` for a city; empty for a code the
    tables do not know."""
    prefix = address_prefixes().get(area)
    if prefix is None:
        return ""
    city, _sep, district = prefix.partition("市")
    office = f"{city}市公安局"
    district = district.removesuffix("新区").removesuffix("区")
    return f"{office}{district}分局" if district else office
