"""Action liveness as the apps ask for it: the actions a borrower may be asked to perform."""

from __future__ import annotations

# 眨眼, 张嘴, 摇头, 点头
ACTIONS = ("blink", "open_mouth", "shake_head", "nod")
