"""Generated borrowers: a name, an ID card whose number agrees with the address, the birth date
and the sex, a UnionPay debit card, a mobile number, an employer, an income and emergency
contacts, all drawn from one seed.

``make_persona(seed, age=..., sex=..., province=..., bank=...)`` gives the same persona for the
same arguments, to the byte (its ID card images too, :meth:`Persona.draw`). Each trait comes
from its own random stream, so asking for another bank keeps the name, the ID number and the
phone.

What makes one consistent:

- the area code (the first six digits) is one the address codes to (``areas.area_for_address``),
  in the province asked for, and the card's issuing authority is that area's police office;
- the birth date gives the age asked for on ``today`` (the simulated clock's date);
- the 17th digit is odd for a man and even for a woman, and the check character is GB 11643's;
- the card in hand is the latest of the cards the holder would have had since 16, each valid
  for the years its age at issue gives (under 16: 5, 16-25: 10, 26-45: 20, 46 and over:
  long-term), renewed up to 90 days before it ran out: so it is valid today and for at least
  90 days more;
- the bank card is one of a real bank's debit BINs, of that BIN's length, passing Luhn;
- the mobile numbers have prefixes the mainland carriers issue (not data-only or IoT ones);
- a parent, a brother or sister and a child share the borrower's surname.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from loancli.clock import DEFAULT_START, Rng, add_years
from loancli.errors import RuleError
from loancli.i18n import _
from loancli.identity.areas import address_prefixes, area_for_address, issuing_authority
from loancli.identity.banks import BANKS, Bank, card_number, find_bank
from loancli.identity.card import IdCardFields, default_valid_until, face_id
from loancli.identity.idnumber import age_on, make_id

# The ages a persona may be asked for: an ID card's holder (16) up to 90.
MIN_AGE = 16
MAX_AGE = 90
# Unless asked, a borrower is of working age and inside the usual lender's band.
DEFAULT_AGES = (22, 55)
# A card is renewed up to this long before it runs out, so the one in hand has at least this.
RENEWAL_WINDOW = timedelta(days=90)


@dataclass(frozen=True)
class Province:
    """A provincial-level division: its GB/T 2260 code (the ID number's first two digits),
    its short and full names, its name in pinyin (and English, where that differs), and how
    many people live there (millions, 2020 census, rounded: how often it is drawn)."""

    code: str
    name: str
    full: str
    pinyin: str
    people: int
    english: str = ""

    @property
    def municipality(self) -> bool:
        return self.full.endswith("市")


PROVINCES: tuple[Province, ...] = (
    Province("11", "北京", "北京市", "Beijing", 22),
    Province("12", "天津", "天津市", "Tianjin", 14),
    Province("13", "河北", "河北省", "Hebei", 75),
    Province("14", "山西", "山西省", "Shanxi", 35),
    Province("15", "内蒙古", "内蒙古自治区", "Nei Mongol", 24, "Inner Mongolia"),
    Province("21", "辽宁", "辽宁省", "Liaoning", 43),
    Province("22", "吉林", "吉林省", "Jilin", 24),
    Province("23", "黑龙江", "黑龙江省", "Heilongjiang", 32),
    Province("31", "上海", "上海市", "Shanghai", 25),
    Province("32", "江苏", "江苏省", "Jiangsu", 85),
    Province("33", "浙江", "浙江省", "Zhejiang", 65),
    Province("34", "安徽", "安徽省", "Anhui", 61),
    Province("35", "福建", "福建省", "Fujian", 41),
    Province("36", "江西", "江西省", "Jiangxi", 45),
    Province("37", "山东", "山东省", "Shandong", 101),
    Province("41", "河南", "河南省", "Henan", 99),
    Province("42", "湖北", "湖北省", "Hubei", 58),
    Province("43", "湖南", "湖南省", "Hunan", 66),
    Province("44", "广东", "广东省", "Guangdong", 126),
    Province("45", "广西", "广西壮族自治区", "Guangxi", 50),
    Province("46", "海南", "海南省", "Hainan", 10),
    Province("50", "重庆", "重庆市", "Chongqing", 32),
    Province("51", "四川", "四川省", "Sichuan", 84),
    Province("52", "贵州", "贵州省", "Guizhou", 39),
    Province("53", "云南", "云南省", "Yunnan", 47),
    Province("54", "西藏", "西藏自治区", "Xizang", 4, "Tibet"),
    Province("61", "陕西", "陕西省", "Shaanxi", 40),
    Province("62", "甘肃", "甘肃省", "Gansu", 25),
    Province("63", "青海", "青海省", "Qinghai", 6),
    Province("64", "宁夏", "宁夏回族自治区", "Ningxia", 7),
    Province("65", "新疆", "新疆维吾尔自治区", "Xinjiang", 26),
)

# The commonest surnames, most frequent first (each drawn about as often as it is borne).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
    "肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
# Characters of given names, by sex; a given name is one of them or two.
GIVEN = {
    "male": "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆旭宁龙林阳建国志文海峰亮成东晨",
    "female": "芳娜敏静丽艳娟霞秀燕玲丹萍红婷雪琳晶颖慧洁倩玉兰欣怡佳梅莉琴云月蓉璐",
}

# Streets an address may be on: none holds the name of a city the area table knows, so the
# address codes to the area it was made for.
STREETS = (
    "人民路",
    "解放路",
    "中山路",
    "建设路",
    "和平路",
    "新华路",
    "文化路",
    "胜利路",
    "光明路",
    "青年路",
    "友谊路",
    "团结路",
    "工业路",
    "幸福路",
    "花园路",
    "东风路",
    "红旗路",
    "五一路",
    "迎宾路",
    "建国路",
    "延安路",
    "复兴路",
)

# Ethnicities besides 汉 where they are common, with the share of people (percent); only
# ones whose names are written like Han names, so the name never contradicts the ethnicity.
ETHNICITIES = {
    "45": (("壮", 30),),
    "64": (("回", 35),),
    "21": (("满", 12),),
    "13": (("满", 3), ("回", 1)),
    "22": (("满", 3), ("朝鲜", 3)),
    "52": (("苗", 11), ("布依", 7)),
    "43": (("土家", 4), ("苗", 3)),
    "42": (("土家", 4),),
    "50": (("土家", 4),),
    "53": (("彝", 11), ("白", 3)),
    "15": (("蒙古", 17),),
}

# Mainland mobile prefixes the carriers give to phones that receive SMS (data-only and IoT
# ranges such as 145, 147, 149 and 172 left out).
MOBILE_PREFIXES = (
    # China Mobile
    "135 136 137 138 139 150 151 152 157 158 159 178 182 183 184 187 188 195 197 198 "
    # China Unicom
    "130 131 132 155 156 166 175 176 185 186 196 "
    # China Telecom
    "133 153 173 177 180 181 189 190 191 193 199 "
    # China Broadnet
    "192"
).split()

BRANDS = (
    "华信 恒达 新程 远航 德润 中联 鸿运 嘉禾 金桥 宏图 天成 瑞丰 盛世 永安 博远 安泰 富源 星辰 "
    "海纳 启明"
).split()
INDUSTRIES = (
    "科技 电子科技 贸易 建筑工程 餐饮管理 物流 医药 教育咨询 服装 汽车销售 物业管理 食品 "
    "机械制造 网络科技 文化传媒"
).split()
# Cities where pay is highest (first tier).
FIRST_TIER = ("北京", "上海", "广州", "深圳")
RETIRED = "退休"

# Emergency contacts' relations by the borrower's age, with how often each is named.
_RELATIONS = (
    (28, (("parent", 3), ("sibling", 1), ("friend", 1))),
    (46, (("spouse", 3), ("parent", 2), ("sibling", 1), ("friend", 1), ("colleague", 1))),
    (MAX_AGE + 1, (("spouse", 3), ("child", 2), ("sibling", 1), ("friend", 1))),
)
_SAME_SURNAME = ("sibling", "child")


@dataclass(frozen=True)
class Contact:
    """An emergency contact (紧急联系人)."""

    name: str
    relation: str  # parent | spouse | sibling | child | friend | colleague
    phone: str


@dataclass(frozen=True)
class Persona:
    """A generated borrower, as of ``today``."""

    seed: int
    today: date
    name: str
    sex: str  # male | female
    ethnicity: str
    birth_date: date
    province: Province
    address: str
    id_number: str
    authority: str
    valid_from: date
    valid_until: date | None
    phone: str
    bank: Bank
    card_number: str
    employer: str
    monthly_income: str
    contacts: tuple[Contact, ...]
    face_seed: int
    asked: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def age(self) -> int:
        return age_on(self.birth_date, self.today)

    @property
    def area(self) -> str:
        return self.id_number[:6]

    @property
    def card(self) -> IdCardFields:
        """The ID card's printed fields."""
        return IdCardFields(
            name=self.name,
            sex=self.sex,
            ethnicity=self.ethnicity,
            birth_date=self.birth_date,
            address=self.address,
            number=self.id_number,
            authority=self.authority,
            valid_from=self.valid_from,
            valid_until=self.valid_until,
        )

    @property
    def face_id(self) -> str:
        return face_id(self.face_seed)

    def draw(self, folder: Path, stem: str = "id") -> tuple[Path, Path]:
        """Write the ID card's two sides, ``{stem}-front.png`` and ``{stem}-back.png`` (mode
        0600), the face drawn from the persona's own face seed; same persona, same bytes."""
        from loancli.identity.images import generate

        return generate(self.card, folder, stem=stem, face_seed=self.face_seed)

    def data(self) -> dict[str, object]:
        """Everything about the persona, as JSON-ready data (in full: it is made up); the
        caller may add to it (``persona new --json`` adds the files it wrote)."""
        return {
            "seed": self.seed,
            "asked": self.asked,
            "today": self.today.isoformat(),
            "name": self.name,
            "sex": self.sex,
            "age": self.age,
            "birth_date": self.birth_date.isoformat(),
            "ethnicity": self.ethnicity,
            "province": self.province.name,
            "address": self.address,
            "id_number": self.id_number,
            "area": self.area,
            "authority": self.authority,
            "validity": self.card.validity,
            "phone": self.phone,
            "bank": {"code": self.bank.code, "name": self.bank.name},
            "card_number": self.card_number,
            "employer": self.employer,
            "monthly_income": self.monthly_income,
            "contacts": [
                {"name": c.name, "relation": c.relation, "phone": c.phone} for c in self.contacts
            ],
            "face_id": self.face_id,
        }


def make_persona(
    seed: int = 0,
    *,
    age: int | tuple[int, int] | None = None,
    sex: str | None = None,
    province: str | None = None,
    bank: str | None = None,
    today: date | None = None,
) -> Persona:
    """The persona of ``seed`` with the traits asked for (each None: drawn): ``age`` a whole
    age or an inclusive band (16-90; default 22-55), ``sex`` male or female (男/女), the
    ``province`` by its Chinese name (广东, 广东省) or in pinyin/English (Guangdong), the
    ``bank`` by its code or name (ICBC, 工商银行, 工行); ages are on ``today`` (default: the
    simulated clock's start). A trait that cannot be read is a ``RuleError`` naming it."""
    day = today or DEFAULT_START.date()
    low, high = age_band(age)
    chosen_sex = parse_sex(sex) if sex is not None else None
    place = find_province(province) if province is not None else None
    chosen_bank = find_bank(bank) if bank is not None else None
    root = Rng(seed, "persona")

    chosen_sex = chosen_sex or root.derive("sex").choice(["male", "female"])
    birth = _birth(root.derive("birth"), low, high, day)
    place = place or root.derive("province").weighted([(p, p.people) for p in PROVINCES])
    area, prefix = _area(root.derive("area"), place)
    address = _address(root.derive("address"), place, prefix)
    surname, name = _name(root.derive("name"), chosen_sex)
    valid_from, valid_until = _card_in_hand(root.derive("validity"), birth, day)
    chosen_bank = chosen_bank or root.derive("bank").weighted([(b, b.weight) for b in BANKS])
    phones = _phones(root.derive("phone"), 3)
    employer, income = _work(root.derive("work"), place, prefix, age_on(birth, day))
    persona = Persona(
        seed=seed,
        today=day,
        name=name,
        sex=chosen_sex,
        ethnicity=_ethnicity(root.derive("ethnicity"), place),
        birth_date=birth,
        province=place,
        address=address,
        id_number=make_id(area, birth, chosen_sex, root.derive("sequence").randint(0, 499)),
        authority=issuing_authority(area),
        valid_from=valid_from,
        valid_until=valid_until,
        phone=phones[0],
        bank=chosen_bank,
        card_number=card_number(chosen_bank, root.derive("card")),
        employer=employer,
        monthly_income=income,
        contacts=_contacts(
            root.derive("contacts"), surname, chosen_sex, age_on(birth, day), phones
        ),
        face_seed=root.derive("face").randint(1, 999_999),
        asked={
            k: v
            for k, v in {
                "age": None if age is None else _band_text(low, high),
                "sex": sex,
                "province": province,
                "bank": bank,
            }.items()
            if v is not None
        },
    )
    return persona


# -- reading what is asked -------------------------------------------------------------------


def age_band(age: int | tuple[int, int] | str | None) -> tuple[int, int]:
    """An age (``59``), a band (``(25, 35)``, ``"25-35"``) or None (the default band) as an
    inclusive band within 16-90; anything else is a ``RuleError`` on ``age``."""
    if age is None:
        return DEFAULT_AGES
    if isinstance(age, str):
        low_text, sep, high_text = age.strip().partition("-")
        texts = (low_text.strip(), high_text.strip()) if sep else (low_text.strip(),) * 2
        if not all(t.isascii() and t.isdigit() and len(t) <= 3 for t in texts):
            raise RuleError("age", _("write an age such as 35, or a band such as 25-40"))
        band = (int(texts[0]), int(texts[1]))
    elif isinstance(age, tuple):
        band = age
    else:
        band = (age, age)
    low, high = band
    if not MIN_AGE <= low <= high <= MAX_AGE:
        raise RuleError(
            "age",
            _("a persona is {low} to {high} years old, the younger age first").format(
                low=MIN_AGE, high=MAX_AGE
            ),
        )
    return low, high


def _band_text(low: int, high: int) -> str:
    return str(low) if low == high else f"{low}-{high}"


_SEX_WORDS = {
    "male": "male",
    "m": "male",
    "男": "male",
    "female": "female",
    "f": "female",
    "女": "female",
}


def parse_sex(text: str) -> str:
    """``male``/``female`` (also ``m``, ``f``, 男, 女), else a ``RuleError`` on ``sex``."""
    found = _SEX_WORDS.get(text.strip().lower())
    if found is None:
        raise RuleError("sex", _("write male or female, not {value0!r}").format(value0=text))
    return found


def find_province(text: str) -> Province:
    """A province by its Chinese name (``广东``, ``广东省``, ``北京市``), in pinyin or English
    (``Guangdong``, ``guangdong``, ``Inner Mongolia``) or by its two-digit code (``44``)."""
    key = text.strip()
    folded = "".join(c for c in key.lower() if c.isalnum())
    for place in PROVINCES:
        names = (place.name, place.full, place.code)
        spelled = (place.pinyin, place.english)
        if key in names or folded in {"".join(s.lower().split()) for s in spelled if s}:
            return place
    raise RuleError(
        "province",
        _("no province {value0}; name one in Chinese (广东) or pinyin (Guangdong)").format(
            value0=repr(text)[:40]
        ),
    )


# -- drawing each trait -------------------------------------------------------------------


def _birth(rng: Rng, low: int, high: int, today: date) -> date:
    """A birth date that makes the holder ``low``-``high`` years old on ``today``."""
    years = rng.randint(low, high)
    latest = add_years(today, -years)
    earliest = add_years(today, -(years + 1)) + timedelta(days=1)
    return earliest + timedelta(days=rng.randint(0, (latest - earliest).days))


def _area(rng: Rng, place: Province) -> tuple[str, str]:
    """An area code of the province and the start of an address coded to it: a district's
    where the area table lists districts of the city, else the city's own."""
    codes = {code: p for code, p in address_prefixes().items() if code.startswith(place.code)}
    cities_with_districts = {p.split("市")[0] for p in codes.values() if not p.endswith("市")}
    usable = sorted(
        (code, prefix)
        for code, prefix in codes.items()
        if not (prefix.endswith("市") and prefix[:-1] in cities_with_districts)
    )
    return rng.choice(usable)


def _address(rng: Rng, place: Province, prefix: str) -> str:
    start = prefix if place.municipality else place.full + prefix
    street = f"{rng.choice(list(STREETS))}{rng.randint(1, 399)}号"
    home = (
        f"{rng.randint(1, 30)}栋{rng.randint(1, 6)}单元{rng.randint(1, 28)}0{rng.randint(1, 4)}室"
    )
    # Three lines of eleven characters is what the card's front prints.
    if rng.random() < 0.7 and len(start + street + home) <= 33:
        return start + street + home
    return start + street


def _name(rng: Rng, sex: str) -> tuple[str, str]:
    surname = _surname(rng)
    return surname, surname + _given(rng, sex)


def _surname(rng: Rng) -> str:
    # The commonest surnames are borne far more often than the fiftieth: Zipf-like weights.
    return rng.weighted([(s, 1000 // (rank + 3)) for rank, s in enumerate(SURNAMES)])


def _given(rng: Rng, sex: str) -> str:
    chars = list(GIVEN[sex])
    return "".join(rng.sample(chars, 1 if rng.random() < 0.3 else 2))


def _card_in_hand(rng: Rng, birth: date, today: date) -> tuple[date, date | None]:
    """The validity of the latest card: the first issued at 16 or a little after, each next one
    up to RENEWAL_WINDOW before the last ran out, until one covers ``today`` and 90 days more."""
    sixteen = add_years(birth, 16)
    start = sixteen + timedelta(days=rng.randint(0, 3 * 365))
    if start > today:  # the holder turned 16 less than three years ago
        start = sixteen + timedelta(days=rng.randint(0, (today - sixteen).days))
    until = default_valid_until(birth, start)
    while until is not None and until - RENEWAL_WINDOW <= today:
        renewed = until - timedelta(days=rng.randint(0, RENEWAL_WINDOW.days))
        start = min(max(renewed, start + timedelta(days=1)), today)
        until = default_valid_until(birth, start)
    return start, until


def _phones(rng: Rng, count: int) -> list[str]:
    """``count`` different mobile numbers (the borrower's first, then the contacts')."""
    out: list[str] = []
    while len(out) < count:
        number = rng.choice(MOBILE_PREFIXES) + rng.digits(8)
        if number not in out:
            out.append(number)
    return out


def _ethnicity(rng: Rng, place: Province) -> str:
    point = rng.random() * 100
    for name, share in ETHNICITIES.get(place.code, ()):
        point -= share
        if point < 0:
            return name
    return "汉"


def _work(rng: Rng, place: Province, prefix: str, age: int) -> tuple[str, str]:
    """An employer and a monthly income in yuan (whole hundreds), written as money is in
    every JSON document (``13000.00``)."""
    if age >= 60:
        return RETIRED, f"{rng.randint(25, 60) * 100}.00"
    city = prefix.split("市")[0]
    kind = rng.random()
    if kind < 0.1:
        employer = f"{city}市第{rng.choice(list('一二三四五六'))}人民医院"
    elif kind < 0.2:
        employer = f"{city}市第{rng.randint(1, 30)}中学"
    else:
        employer = f"{city}{rng.choice(BRANDS)}{rng.choice(INDUSTRIES)}有限公司"
    low, high = (80, 300) if city in FIRST_TIER else (40, 180)
    if age < 22:
        low, high = 30, 60
    # Skewed towards the low end, as pay is.
    hundreds = low + int((high - low) * rng.random() ** 2)
    return employer, f"{hundreds * 100}.00"


def _contacts(rng: Rng, surname: str, sex: str, age: int, phones: list[str]) -> tuple[Contact, ...]:
    """Two emergency contacts of different relations, with the borrower's other numbers."""
    relations = next(r for upper, r in _RELATIONS if age < upper)
    first = rng.weighted(list(relations))
    second = rng.weighted([(r, w) for r, w in relations if r != first])
    out = []
    for relation, phone in ((first, phones[1]), (second, phones[2])):
        contact_sex = rng.choice(["male", "female"])
        family = surname if relation in _SAME_SURNAME else _surname(rng)
        if relation == "spouse":
            contact_sex = "female" if sex == "male" else "male"
        elif relation == "parent":
            # The father (the borrower's surname) more often than the mother (her own).
            contact_sex = "male" if rng.random() < 0.6 else "female"
            family = surname if contact_sex == "male" else _surname(rng)
        out.append(Contact(family + _given(rng, contact_sex), relation, phone))
    return tuple(out)


def address_agrees(persona: Persona) -> bool:
    """Whether the persona's address codes to its ID number's area (what a check can ask)."""
    return area_for_address(persona.address) == persona.area
