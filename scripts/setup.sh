#!/usr/bin/env bash
# Set up nianbao on a fresh Debian/Ubuntu machine with Python 3.11:
# system packages (LibreOffice for DOC/WPS conversion, Chromium for the crawler's rendering fallback and
# the browser tests), a virtualenv in .venv, and the pinned Python packages from constraints.txt.
# Safe to run again: finished steps are skipped quickly.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
# LibreOffice: DOC/WPS/RTF/ODT and XLS conversions.  Chromium: Debian's build, driven through Playwright with
# executable_path=/usr/bin/chromium (Playwright's own browser download is never needed).
OFFICE_PACKAGES=(libreoffice-writer-nogui libreoffice-calc-nogui)
BROWSER_PACKAGES=(chromium)

need_apt=()
command -v soffice >/dev/null 2>&1 || need_apt+=("${OFFICE_PACKAGES[@]}")
[ -x /usr/bin/chromium ] || need_apt+=("${BROWSER_PACKAGES[@]}")
# OCR (rapidocr's opencv-python) loads libGL and GLib at import
ldconfig -p 2>/dev/null | grep -q 'libGL\.so\.1' || need_apt+=(libgl1)
ldconfig -p 2>/dev/null | grep -q 'libgthread-2\.0\.so\.0' || need_apt+=(libglib2.0-0)
if [ "${#need_apt[@]}" -gt 0 ]; then
  if [ "${NIANBAO_SKIP_APT:-0}" = 1 ]; then
    echo "setup: skipping apt (NIANBAO_SKIP_APT=1); missing system packages: ${need_apt[*]}" >&2
  else
    SUDO=""
    [ "$(id -u)" = 0 ] || SUDO="sudo"
    echo "setup: installing system packages: ${need_apt[*]}"
    $SUDO apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  fi
fi

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $PYTHON"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.nianbao-installed
if [ ! -f "$stamp" ] || [ constraints.txt -nt "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "setup: installing Python packages (pinned by constraints.txt)"
  # An old pip cannot install trafilatura's lxml_html_clean split correctly: upgrade it first.
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade "pip==26.3" 2>&1 | grep -v "^WARNING: Location" || true
  .venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt -e ".[test]" 2>&1 \
    | grep -v "^WARNING: Location" || true
  .venv/bin/python -c "import trafilatura, scrapy, prefect, duckdb, pypdfium2, docx, cv2, rapidocr_onnxruntime, plotly, xlsxwriter, playwright, scrapy_playwright"
  touch "$stamp"
fi
echo "setup: ready (.venv/bin/nianbao)"
