"""Action liveness as the apps ask for it: the actions a borrower may be asked to perform."""

from __future__ import annotations

from loancli.i18n import N_

# 眨眼, 张嘴, 摇头, 点头
ACTIONS = ("blink", "open_mouth", "shake_head", "nod")

# The actions as the app says them (translated where shown).
ACTION_NAMES = {
    "blink": N_("blink"),
    "open_mouth": N_("open mouth"),
    "shake_head": N_("shake head"),
    "nod": N_("nod"),
}
