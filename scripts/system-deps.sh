#!/usr/bin/env bash
# Debian packages Waishi needs outside Python. Idempotent: asks dpkg first and runs apt only for
# what is missing. Called by `make install` (so by `make run`, `make test` and `.ci/run`).
#   fonts-noto-cjk   Chinese fonts for WeasyPrint's PDFs (without one: silent tofu boxes)
#   poppler-utils    pdftotext / pdffonts / pdftoppm: the document tests read the PDFs with them
#   zbar-tools       zbarimg: the document tests decode the QR code printed on each PDF
#   chromium, chromium-driver   the browser tests (Playwright drives Debian's Chromium)
#   postgresql-client   pg_dump / pg_restore: `waishi backup` and `waishi restore` on PostgreSQL
# As root it installs; otherwise it prints the command to run and fails only with --require.
set -euo pipefail

PACKAGES=(fonts-noto-cjk poppler-utils zbar-tools chromium chromium-driver)
# The PostgreSQL server's own packages bring pg_dump of its version: ask for the client only without it.
command -v pg_dump >/dev/null 2>&1 || PACKAGES+=(postgresql-client)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  echo "system-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}"
  # A fresh font must be known to fontconfig before WeasyPrint looks for it.
  if command -v fc-cache >/dev/null 2>&1; then fc-cache -f >/dev/null 2>&1 || true; fi
else
  echo "system-deps: missing Debian packages: ${missing[*]}" >&2
  echo "system-deps: run as root:  apt-get update && apt-get install -y ${missing[*]}" >&2
  if [ "${1:-}" = "--require" ]; then exit 1; fi
fi
