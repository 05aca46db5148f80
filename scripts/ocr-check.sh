#!/usr/bin/env bash
# An independent OCR engine reads a generated ID card: Tesseract with chi_sim must find
# 姓名, 公民身份号码 and the ID number on the front, 签发机关 and the validity on the back.
# Outside the test suite (Tesseract is a system package): apt-get install tesseract-ocr
# tesseract-ocr-chi-sim, then  scripts/ocr-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
"$PYTHON" -m loancli.cli.idcard generate --name 王小明 --sex male --birth-date 1990-03-07 \
    --address 北京市朝阳区建国路88号 --authority 北京市公安局朝阳分局 \
    --valid-from 2020-05-01 --valid-until 2040-05-01 --out "$TMP" >/dev/null
# --psm 6: one uniform block of text, as a card is.
front="$(tesseract "$TMP/id-front.png" - -l chi_sim --psm 6 2>/dev/null | tr -d ' ')"
back="$(tesseract "$TMP/id-back.png" - -l chi_sim --psm 6 2>/dev/null | tr -d ' ')"
status=0
for word in 姓名 公民身份号码 110105199003070017; do
    grep -q "$word" <<<"$front" && echo "front: read $word" || { echo "front: MISSING $word"; status=1; }
done
for word in 签发机关 有效期限 2020.05.01-2040.05.01; do
    grep -q -- "$word" <<<"$back" && echo "back: read $word" || { echo "back: MISSING $word"; status=1; }
done
exit $status
