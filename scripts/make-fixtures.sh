#!/usr/bin/env bash
# Regenerate the ID card fixtures under fixtures/id/. Run from anywhere:
#   PYTHON=/work/venv/bin/python scripts/make-fixtures.sh
# The images are byte-deterministic for a given Pillow version, so a rerun changes nothing.
set -euo pipefail

cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
OUT=fixtures/id
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$OUT"

idcard() {
    "$PYTHON" -m loancli.cli.idcard generate --out "$TMP" "$@" >/dev/null
}

# Persona 王小明: number built for area 110105 (valid check character), face seed 0.
persona=(
    --name 王小明 --sex male --ethnicity 汉 --birth-date 1990-03-07
    --address 北京市朝阳区建国路88号 --area 110105
    --authority 北京市公安局朝阳分局
)

idcard "${persona[@]}" --valid-from 2020-05-01 --valid-until 2040-05-01 --stem sharp
cp "$TMP/sharp-front.png" "$OUT/front.png"
cp "$TMP/sharp-back.png" "$OUT/back.png"

idcard "${persona[@]}" --valid-from 2020-05-01 --valid-until 2040-05-01 --blurry --stem blurry
cp "$TMP/blurry-front.png" "$OUT/front-blurry.png"

idcard "${persona[@]}" --valid-from 2020-05-01 --valid-until 2040-05-01 --low-resolution \
    --stem lowres
cp "$TMP/lowres-front.png" "$OUT/front-lowres.png"

idcard "${persona[@]}" --valid-from 2005-05-01 --valid-until 2015-05-01 --stem expired
cp "$TMP/expired-back.png" "$OUT/back-expired.png"

# Another person, for front/back mismatch: her front with the persona's back.
idcard --name 李华 --sex female --ethnicity 汉 --birth-date 1995-08-20 \
    --address 上海市浦东新区世纪大道100号 --area 310115 \
    --authority 上海市公安局浦东分局 --valid-from 2018-09-01 --valid-until 2028-09-01 \
    --sequence-seed 42 --face-seed 7 --stem other
cp "$TMP/other-front.png" "$OUT/front-other.png"

# A text file with an image's name: the upload check must refuse it.
printf 'This is not an image; it only has a .png name.\n' >"$OUT/not-an-image.png"

ls -1 "$OUT"
