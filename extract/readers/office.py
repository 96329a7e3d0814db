"""Old binary office formats through LibreOffice: DOC, WPS (Kingsoft / Works), RTF, Word 2003 XML, ODT.

Each file is converted by a real `soffice --headless --convert-to docx` subprocess, run in a
temporary directory with its own user profile (`-env:UserInstallation=file:///tmp/...`, so runs
never share or lock a profile), in its own process group, killed as a group when it outlives
`settings.convert_timeout`.  The DOCX it writes is then read by the DOCX reader, with every DOCX
guard.  ODS goes to XLSX and the sheet reader.  Failures are clear statuses:
unreadable, reason "conversion failed: <why>" or "conversion timed out"; an encrypted DOC
(FIB fEncrypted) is refused before conversion with reason "encrypted".

A profile made by a first successful run is kept as a template (in the temp dir, per user) and
copied for later runs, which saves LibreOffice's first-start work (a few seconds) on every file.
"""
from __future__ import annotations

import os
import shutil
import signal
import struct
import subprocess
import tempfile
import threading

from ..model import ParsedDocument
from ..settings import ExtractSettings
from core import lifetime
from core.sniff import ole_entries, ole_stream_head, ole_truncated
from . import limits
from .limits import Refused

CONVERSION_FAILED = "conversion failed"
CONVERSION_TIMED_OUT = "conversion timed out"

_INPUT_EXT = {"doc": "doc", "wps": "doc", "rtf": "rtf", "odt": "odt", "ods": "ods", "xls": "xls"}
_template_lock = threading.Lock()


def _template_dir() -> str:
    return os.path.join(tempfile.gettempdir(), f"nianbao-lo-profile-{os.getuid()}")


def _doc_encrypted(data: bytes) -> bool:
    entries = ole_entries(data)
    if not entries or "WordDocument" not in entries:
        return False
    _, start, size = entries["WordDocument"]
    fib = ole_stream_head(data, start, 64)
    if len(fib) < 12 or struct.unpack_from("<H", fib, 0)[0] != 0xA5EC:
        return False
    flags = struct.unpack_from("<H", fib, 0x0A)[0]
    return bool(flags & 0x0100)


def convert(data: bytes, kind: str, target: str, settings: ExtractSettings) -> bytes:
    """Convert `data` (a `kind` file) to `target` ("docx" or "xlsx") with LibreOffice; raise Refused."""
    ext = _INPUT_EXT.get(kind, kind)
    with tempfile.TemporaryDirectory(prefix="nianbao-lo-") as tmp:
        src = os.path.join(tmp, f"input.{ext}")
        outdir = os.path.join(tmp, "out")
        profile = os.path.join(tmp, "profile")
        os.mkdir(outdir)
        with open(src, "wb") as fh:
            fh.write(data)
        template = _template_dir()
        have_template = os.path.isdir(os.path.join(template, "user"))
        if have_template:
            try:
                shutil.copytree(template, profile, symlinks=True)
            except OSError:
                shutil.rmtree(profile, ignore_errors=True)
                have_template = False
        cmd = [settings.soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--invisible",
               "--nologo", "--norestore", "--nodefault", "--nolockcheck", "--nofirststartwizard",
               "--convert-to", target, "--outdir", outdir, src]
        env = dict(os.environ, SAL_USE_VCLPLUGIN="svp")
        try:
            # soffice forks oosplash and soffice.bin: the whole group dies with this worker, even by SIGKILL
            proc = subprocess.Popen(lifetime.guarded_group(cmd), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, cwd=tmp, env=env, start_new_session=True)
        except FileNotFoundError:
            raise Refused(f"{CONVERSION_FAILED}: {settings.soffice} not found (install libreoffice-writer-nogui)") from None
        except OSError as exc:
            raise Refused(f"{CONVERSION_FAILED}: {exc}") from None
        # the conversion gets its own limit, and never more than the document has left
        budget = min(settings.convert_timeout, limits.remaining(settings.convert_timeout))
        try:
            out, err = proc.communicate(timeout=budget)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.communicate()
            raise Refused(CONVERSION_TIMED_OUT, f"after {budget:g}s") from None
        except BaseException:  # the document's alarm (limits.HardTimeout), KeyboardInterrupt: no orphan soffice
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
            raise
        result = os.path.join(outdir, f"input.{target}")
        if not os.path.exists(result) or os.path.getsize(result) == 0:
            msg = (err or out or b"").decode("utf-8", "replace").strip().splitlines()
            why = msg[-1][:160] if msg else f"exit status {proc.returncode}, no output"
            raise Refused(f"{CONVERSION_FAILED}: {why}")
        if not have_template and proc.returncode == 0:
            with _template_lock:
                if not os.path.isdir(os.path.join(template, "user")):
                    staging = tempfile.mkdtemp(prefix="nianbao-lo-profile-staging-")
                    try:
                        shutil.copytree(profile, os.path.join(staging, "p"), symlinks=True)
                        os.replace(os.path.join(staging, "p"), template)
                    except OSError:
                        pass
                    finally:
                        shutil.rmtree(staging, ignore_errors=True)
        size = os.path.getsize(result)
        if size > settings.max_bytes:
            raise Refused(limits.TOO_LARGE, f"converted file {size} bytes")
        with open(result, "rb") as fh:
            return fh.read()


def _read_converted(data: bytes, kind: str, settings: ExtractSettings) -> ParsedDocument:
    from . import docx

    try:
        limits.check_size(data, settings)
        if kind in ("doc", "wps") and _doc_encrypted(data):
            raise Refused(limits.ENCRYPTED, "the Word file is password-protected")
        converted = convert(data, kind, "docx", settings)
    except Refused as exc:
        return limits.refused(kind, exc)
    doc = docx.read_package(converted, settings, kind)
    doc.meta["converted_by"] = "libreoffice"
    return doc


def read_doc(data: bytes, settings: ExtractSettings) -> ParsedDocument:
    return _read_converted(data, "doc", settings)


def read_wps(data: bytes, settings: ExtractSettings) -> ParsedDocument:
    return _read_converted(data, "wps", settings)


def read_rtf(data: bytes, settings: ExtractSettings) -> ParsedDocument:
    return _read_converted(data, "rtf", settings)


def read_odt(data: bytes, settings: ExtractSettings) -> ParsedDocument:
    return _read_converted(data, "odt", settings)


def read_ods(data: bytes, settings: ExtractSettings) -> ParsedDocument:
    from . import sheet

    try:
        limits.check_size(data, settings)
        converted = convert(data, "ods", "xlsx", settings)
    except Refused as exc:
        return limits.refused("ods", exc)
    doc = sheet.read_xlsx_as(converted, settings, "ods")
    doc.meta["converted_by"] = "libreoffice"
    return doc


def read_ole(data: bytes, settings: ExtractSettings) -> ParsedDocument:
    """An OLE file that is neither Word nor Excel: a password-protected DOCX/XLSX, or unsupported."""
    entries = ole_entries(data) or {}
    if ole_truncated(data):
        return limits.failed("ole", limits.TRUNCATED, "the OLE directory lies past the end of the file (cut download?)")
    if "EncryptedPackage" in entries or "EncryptionInfo" in entries:
        return limits.failed("ole", limits.ENCRYPTED, "password-protected Office Open XML file")
    return limits.failed("ole", "unsupported file type: ole", "OLE compound file without Word or Excel streams")
