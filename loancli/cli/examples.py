"""What every command's ``--help`` ends with: two or three examples, and the placeholders
its options show. Kept here, one table, so that they are written in one style (a test
checks each command has examples and that each example parses). Plain data: ``--help``
imports it without loading the library.

Placeholders are upper-case words (``ID``, ``PHONE``, ``FILE``, ``DIR``, ``N``, ``DATE``,
``AMOUNT``, ``KEY=VALUE``); an option with a fixed set of values lists them (``md|json``).
"""

from __future__ import annotations

# Command path -> examples (without the leading "loancli "; a long one continues on the next
# line after " \\", as a shell reads it).
EXAMPLES: dict[str, tuple[str, ...]] = {
    # loancli itself ("loancli --help").
    "": (
        "--db qa.json apply",
        "applicants list --db qa.json --json",
        "scenario find 银行卡被冻结",
    ),
    "apply": (
        "--db qa.json apply",
        "--db qa.json --no-input apply --answers happy-path \\\n      --record walk.yaml",
        "--db qa.json apply --resume A0001 \\\n      --set card_number=6222021234567890011",
    ),
    "demo": ("demo", "--scenario frozen-card demo", "--lang zh --json demo"),
    "step": (
        "--db qa.json step A0001 sms_verification",
        "--db qa.json --no-input step A0001 card_binding --answers happy-path",
    ),
    "schedule": (
        "schedule --amount 10000 --term 12 --loan-date 2026-03-15 --apr 18",
        "schedule --amount 3000 --term 6 --loan-date 2026-03-15 --apr 18 \\\n"
        "      --method equal_principal",
        "--json schedule --amount 5000 --term 3 --loan-date 2026-03-15 \\\n      --apr 7.2",
    ),
    "calendar": (
        "--db qa.json calendar",
        "--db qa.json calendar A0001 --month 2026-05 --ics due.ics",
    ),
    "repay": (
        "--db qa.json repay A0001 --amount 500",
        "--db qa.json repay A0001 --installment 1",
        "--db qa.json repay A0001 --all",
    ),
    "restructure": ("--db qa.json restructure A0001 --term 12",),
    "credit-report": (
        "--db qa.json credit-report A0001",
        "--db qa.json credit-report A0001 --object R0001 \\\n      --reason 宽限期内已还款",
    ),
    "explain": ("--db qa.json explain A0001", "--db qa.json explain A0001 --due-date"),
    "login": (
        "--db qa.json login",
        "--db qa.json --no-input login \\\n      --set phone=13800138000 --set password=s3cret",
    ),
    "checkout": (
        "--db qa.json checkout --item 手机 --price 2999 --periods 6",
        "--db qa.json --no-input checkout --answers checkout \\\n      --item 手机 --price 2999",
    ),
    "timeline": ("--db qa.json timeline A0001", "--db qa.json --json timeline F0001"),
    "report": (
        "--db qa.json report A0001",
        "--db qa.json report A0001 --format json --out a0001.json",
        "--db qa.json report A0001 --bundle ticket.zip",
    ),
    "replay": ("replay ticket.zip", "--db replayed.json replay ticket.zip"),
    "sms inbox": (
        "--db qa.json sms inbox 13800138000",
        "sms inbox 13800138000 --json --db qa.json",
    ),
    "applicants list": ("--db qa.json applicants list", "applicants list --json --db qa.json"),
    "applicants show": ("--db qa.json applicants show A0001", "--db qa.json applicants show L0001"),
    "flows list": ("--db qa.json flows list", "--db qa.json --json flows list"),
    "flows show": ("--db qa.json flows show F0001",),
    "idcard generate": (
        "idcard generate --name 王小明 --sex male --birth-date 1990-01-01 \\\n"
        "      --address 北京市海淀区 --authority 北京市公安局海淀分局 --out cards",
        "idcard generate --name 李娜 --sex female --birth-date 1985-06-30 \\\n"
        "      --address 上海市浦东新区 --authority 上海市公安局 \\\n"
        "      --expired --blurry --json",
    ),
    "state info": ("--db qa.json state info", "--db qa.json --json state info"),
    "state convert": ("state convert qa.json qa.sqlite",),
    "state prune": ("--db qa.json state prune --before 2026-01-01",),
    "clock show": ("--db qa.json clock show",),
    "clock set": ("--db qa.json clock set 2026-06-01T09:00",),
    "clock advance": ("--db qa.json clock advance 30d", "--db qa.json clock advance 1d12h"),
    "device list": ("--db qa.json device list 13800138000",),
    "device trust": ("--db qa.json device trust 13800138000 'iPhone 15'",),
    "device forget": ("--db qa.json device forget 13800138000 'iPhone 15'",),
    "device two-step": ("--db qa.json device two-step 13800138000 --mode code",),
    "support unlock": ("--db qa.json support unlock 13800138000",),
    "account change-phone": (
        "--db qa.json account change-phone",
        "--db qa.json --no-input account change-phone --answers change-phone",
    ),
    "account check": ("--db qa.json account check 13800138000",),
    "card bind": (
        "--db qa.json card bind",
        "--db qa.json --no-input card bind --answers happy-path",
    ),
    "card list": ("--db qa.json card list 13800138000", "card list 13800138000 --all --db qa.json"),
    "card unbind": ("--db qa.json card unbind C0002",),
    "card use": ("--db qa.json card use C0002", "--db qa.json card use C0002 --loan L0001"),
    "contacts add": ("--db qa.json contacts add",),
    "contacts list": ("--db qa.json contacts list 13800138000",),
    "contacts remove": ("--db qa.json contacts remove K0002",),
    "scenario list": ("scenario list", "--json scenario list"),
    "scenario show": ("scenario show frozen-card", "scenario show my-scenario.yaml"),
    "scenario validate": ("scenario validate my-scenario.yaml",),
    "scenario find": ("scenario find 银行卡被冻结 钱没到账", "--json scenario find card frozen"),
    "story list": ("story list", "--json story list"),
    "story show": ("story show overdue-penalty", "story show my-story.yaml"),
    "story schema": ("story schema > story.schema.json",),
    "story run": (
        "story run overdue-penalty",
        "--db story.json story run my-story.yaml --until 3",
    ),
    "story from": ("--db qa.json story from A0001 --out a0001-story.yaml",),
    "story find": ("story find 逾期 罚息", "--json story find late penalty"),
    "check": (
        "check",
        "check my-stories/ --junit report.xml",
        "check --shard 1/4 --jobs 2",
    ),
    "persona new": (
        "persona new",
        "persona new --age 25-35 --sex female --province 广东 --seed 7",
        "persona new --out borrower1",
    ),
    "populate": (
        "--db world.json populate 50",
        "--db world.json populate 200 --months 6",
        "--db world.sqlite populate 1000 \\\n      --mix completed=80,stopped=15,overdue=5",
    ),
}

# Options whose values are a fixed set (shown as their choices) or want a clearer word than
# the type's name, by command path and option ("" for every command).
METAVARS: dict[tuple[str, str], str] = {
    ("", "--answers"): "FILE|NAME",
    ("", "--set"): "KEY=VALUE",
    ("", "--record"): "FILE",
    ("", "--resume"): "ID",
    ("", "--out"): "FILE",
    ("", "--amount"): "AMOUNT",
    ("", "--price"): "AMOUNT",
    ("", "--term"): "N",
    ("", "--periods"): "N",
    ("", "--installment"): "N",
    ("", "--repayment-day"): "DAY",
    ("", "--loan-date"): "DATE",
    ("", "--birth-date"): "DATE",
    ("", "--valid-from"): "DATE",
    ("", "--valid-until"): "DATE",
    ("", "--month"): "YYYY-MM",
    ("", "--apr"): "PERCENT",
    ("", "--daily-rate"): "RATE",
    ("", "--ics"): "FILE",
    ("", "--bundle"): "FILE",
    ("", "--item"): "TEXT",
    ("", "--face-seed"): "N",
    ("", "--sequence-seed"): "N",
    ("schedule", "--method"): "equal_installment|equal_principal|interest_first",
    ("schedule", "--product"): "cash_loan|daily_loan|installment",
    ("report", "--format"): "md|json",
    ("idcard generate", "--out"): "DIR",
    ("device two-step", "--mode"): "confirm|code",
    ("idcard generate", "--sex"): "male|female",
}


def metavar_for(command: str, option: str) -> str | None:
    """The placeholder an option of ``command`` shows, if this table sets it."""
    return METAVARS.get((command, option)) or METAVARS.get(("", option))
