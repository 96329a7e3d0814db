"""OCR of one page image: preparation (grey, red seals lifted, deskew) and rapidocr's recognition.

rapidocr-onnxruntime 1.4.4 runs PaddleOCR's PP-OCRv4 detection and recognition models with ONNX Runtime;
the models ship inside the wheel (rapidocr_onnxruntime/models), so nothing is downloaded at run time.
The page is recognised once, whole, with per-character boxes and probabilities; `reread` runs the
recognition model alone on one crop (a cell whose ink the page pass did not cover).

Red ink (official seals, 红章) is lifted out before anything else: where a pixel is clearly red its red
channel is used, so black text under the seal stays black and the seal turns white.  The skew is the
angle that makes the horizontal projection of the ink sharpest (coarse, then fine), within MAX_SKEW.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

MAX_SKEW = 3.0  # degrees searched by the deskew
MAX_SIDE_LEN = 2600  # rapidocr shrinks larger pages to this before detection (its default is 2000)


@dataclass
class TextBox:
    """One box recognised by rapidocr (in deskewed page pixels)."""

    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    conf: float  # mean character probability (rapidocr's score)
    char_conf: list[float]  # per character
    char_x: list[tuple[float, float]] | None  # per character x extent, when rapidocr gave it

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def h(self) -> float:
        return self.y1 - self.y0

    @property
    def min_conf(self) -> float:
        return min(self.char_conf) if self.char_conf else self.conf



def to_grey(img: np.ndarray) -> np.ndarray:
    """Grey page with red ink lifted out (a red seal over black text leaves the text)."""
    if img.ndim == 2:
        return img
    rgb = img[..., :3]
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    r = rgb[..., 0].astype(np.int16)
    gb = np.maximum(rgb[..., 1], rgb[..., 2]).astype(np.int16)
    d = r - gb
    red = (d > 15).astype(np.uint8)
    if red.sum() > 50:
        # JPEG's halved colour resolution leaves the edges of red strokes greyish: take them too
        red = cv2.dilate(red, np.ones((3, 3), np.uint8)).astype(bool)
        # the seal ink absorbs a little red too: scale its red channel so that the ink itself is white
        strong = d > 60
        r_ink = float(np.percentile(rgb[..., 0][strong], 20)) if strong.sum() > 50 else 255.0
        gain = 255.0 / max(150.0, min(255.0, r_ink))
        grey = grey.copy()
        rr = np.clip(rgb[..., 0][red].astype(np.float32) * gain, 0, 255).astype(np.uint8)
        grey[red] = np.maximum(grey[red], rr)
    return grey


def estimate_skew(grey: np.ndarray, max_skew: float = MAX_SKEW) -> float:
    """Angle (degrees, counter-clockwise positive as in PIL) of the page's lines of ink."""
    h, w = grey.shape
    scale = min(1.0, 900.0 / w)
    small = cv2.resize(grey, (max(1, int(w * scale)), max(1, int(h * scale))), interpolation=cv2.INTER_AREA)
    _, ink = cv2.threshold(small, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    ink = ink.astype(np.float32)
    sh, sw = ink.shape
    centre = (sw / 2, sh / 2)

    def score(angle: float) -> float:
        m = cv2.getRotationMatrix2D(centre, -angle, 1.0)  # undo a rotation by `angle`
        rot = cv2.warpAffine(ink, m, (sw, sh), flags=cv2.INTER_LINEAR, borderValue=0)
        prof = rot.sum(axis=1)
        return float(np.square(np.diff(prof)).sum())

    coarse = np.arange(-max_skew, max_skew + 1e-6, 0.25)
    best = max(coarse, key=score)
    fine = np.arange(best - 0.25, best + 0.25 + 1e-6, 0.05)
    best = max(fine, key=score)
    return float(round(best, 2))


def rotate(grey: np.ndarray, angle: float) -> np.ndarray:
    """Undo a rotation by `angle` degrees; the canvas grows so that no corner is cut."""
    if abs(angle) < 0.05:
        return grey
    h, w = grey.shape
    rad = np.deg2rad(abs(angle))
    nw = int(np.ceil(w * np.cos(rad) + h * np.sin(rad)))
    nh = int(np.ceil(h * np.cos(rad) + w * np.sin(rad)))
    m = cv2.getRotationMatrix2D((w / 2, h / 2), -angle, 1.0)
    m[0, 2] += (nw - w) / 2
    m[1, 2] += (nh - h) / 2
    return cv2.warpAffine(grey, m, (nw, nh), flags=cv2.INTER_LINEAR, borderValue=255)



_ENGINE = None


def engine():
    """One rapidocr engine per process: the PP-OCRv4 models load once (~0.3 s) from the wheel itself."""
    global _ENGINE
    if _ENGINE is None:
        from rapidocr_onnxruntime import RapidOCR

        _ENGINE = RapidOCR()
    return _ENGINE


def ocr_page(grey: np.ndarray, max_side_len: int = MAX_SIDE_LEN) -> list[TextBox]:
    eng = engine()
    eng.max_side_len = max_side_len
    img3 = cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR)
    # no angle classifier: deskewed scans are upright, and it only costs time
    res, _ = eng(img3, use_cls=False, return_word_box=True, text_score=0.0, box_thresh=0.5, unclip_ratio=1.6)
    boxes: list[TextBox] = []
    for item in res or []:
        quad = np.asarray(item[0], dtype=np.float32)
        text, score = item[1], float(item[2])
        char_conf: list[float] = []
        char_x = None
        if len(item) >= 6:
            wboxes, _contents, confs = item[3], item[4], item[5]
            char_conf = [float(c) for c in (confs or [])]
            if wboxes and len(wboxes) == len(text):
                char_x = [(float(min(p[0] for p in wb)), float(max(p[0] for p in wb))) for wb in wboxes]
        if len(char_conf) != len(text):
            char_conf = [score] * len(text)
        boxes.append(TextBox(float(quad[:, 0].min()), float(quad[:, 1].min()), float(quad[:, 0].max()),
                             float(quad[:, 1].max()), text, score, char_conf, char_x))
    return boxes


def reread(grey: np.ndarray, box: tuple[int, int, int, int]) -> tuple[str, float]:
    """Recognition only on one crop (a cell's ink that the page OCR did not cover)."""
    x0, y0, x1, y1 = box
    crop = grey[max(0, y0):y1, max(0, x0):x1]
    if crop.size == 0 or crop.shape[0] < 4 or crop.shape[1] < 2:
        return "", 0.0
    eng = engine()
    crop3 = cv2.cvtColor(crop, cv2.COLOR_GRAY2BGR)
    res, _ = eng.text_rec([crop3], True)
    if not res:
        return "", 0.0
    text, score = res[0][0], float(res[0][1])
    confs = res[0][2][4] if len(res[0]) > 2 and res[0][2] else []
    return text, float(min(confs)) if confs and text else score
