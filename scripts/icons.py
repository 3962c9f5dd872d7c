#!/usr/bin/env python3
"""Draws the app icons (wwwroot/icons/icon-192.png, icon-512.png) from the favicon's design: a blue rounded
square with a white check mark. Standard library only (zlib for PNG), so anyone can run it again:
    python3 scripts/icons.py
"""
import math
import os
import struct
import zlib

BLUE = (0x1D, 0x5F, 0xD1)
WHITE = (0xFF, 0xFF, 0xFF)
# The favicon's geometry on its 32-unit grid: corner radius 6, the check from (8,17) to (13,22) to (24,10), 4 wide.
CHECK = [(8, 17), (13, 22), (24, 10)]
STROKE = 4
RADIUS = 6
SAMPLES = 3  # per axis: anti-aliased edges


def inside_rounded_square(x, y):
    cx = min(max(x, RADIUS), 32 - RADIUS)
    cy = min(max(y, RADIUS), 32 - RADIUS)
    return (x - cx) ** 2 + (y - cy) ** 2 <= RADIUS ** 2 and 0 <= x <= 32 and 0 <= y <= 32


def distance_to_segment(px, py, a, b):
    (ax, ay), (bx, by) = a, b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def on_check(x, y):
    return min(distance_to_segment(x, y, CHECK[i], CHECK[i + 1]) for i in range(len(CHECK) - 1)) <= STROKE / 2


def pixel(size, col, row):
    bg = mark = 0
    for sy in range(SAMPLES):
        for sx in range(SAMPLES):
            x = (col + (sx + 0.5) / SAMPLES) * 32 / size
            y = (row + (sy + 0.5) / SAMPLES) * 32 / size
            if inside_rounded_square(x, y):
                bg += 1
                if on_check(x, y):
                    mark += 1
    n = SAMPLES * SAMPLES
    alpha = bg / n
    if bg == 0:
        return (0, 0, 0, 0)
    share = mark / bg
    rgb = tuple(round(BLUE[i] * (1 - share) + WHITE[i] * share) for i in range(3))
    return rgb + (round(alpha * 255),)


def png(size):
    rows = bytearray()
    for row in range(size):
        rows.append(0)  # filter: none
        for col in range(size):
            rows.extend(pixel(size, col, row))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + chunk(b"IEND", b"")


if __name__ == "__main__":
    folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "wwwroot", "icons")
    os.makedirs(folder, exist_ok=True)
    for size in (192, 512):
        with open(os.path.join(folder, f"icon-{size}.png"), "wb") as f:
            f.write(png(size))
        print(f"wwwroot/icons/icon-{size}.png")
