#!/usr/bin/env python3
"""Writes tests/data/synthetic-digits/: four tiny IDX files in MNIST's layout
(canonical names) holding digits drawn from seven-segment strokes, not MNIST
images, so the repository never carries any of the data set. The embed
example and the Cortex-M test classify image 0 of the "t10k" split.

Run once from the repository root; the output is deterministic:
    python3 tests/data/make_synthetic_digits.py
"""
import os
import struct

SEGMENTS = {  # a top, b upper right, c lower right, d bottom, e lower left, f upper left, g middle
    0: "abcdef", 1: "bc", 2: "abdeg", 3: "abcdg", 4: "bcfg",
    5: "acdfg", 6: "acdefg", 7: "abc", 8: "abcdefg", 9: "abcdfg",
}
# Segment end points in a 28x28 frame, a 12x20 digit box centred like MNIST's.
L, R, T, M, B = 8.0, 19.0, 4.0, 13.5, 23.0
LINES = {"a": ((L, T), (R, T)), "b": ((R, T), (R, M)), "c": ((R, M), (R, B)),
         "d": ((L, B), (R, B)), "e": ((L, M), (L, B)), "f": ((L, T), (L, M)),
         "g": ((L, M), (R, M))}


def distance(px, py, a, b):
    (ax, ay), (bx, by) = a, b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return ((px - ax - t * dx) ** 2 + (py - ay - t * dy) ** 2) ** 0.5


def draw(digit, slant):
    pixels = bytearray()
    for y in range(28):
        for x in range(28):
            px = x + 0.5 + slant * (y - 14)  # a slight italic, as handwriting has
            d = min(distance(px, y + 0.5, *LINES[s]) for s in SEGMENTS[digit])
            ink = max(0.0, min(1.0, 2.2 - d))  # 1.2 px core, 1 px anti-aliased edge
            pixels.append(int(round(255 * ink)))
    return bytes(pixels)


def write_idx(path, dims, payload, dtype=0x08):
    with open(path, "wb") as f:
        f.write(struct.pack(">BBBB", 0, 0, dtype, len(dims)))
        f.write(struct.pack(">" + "I" * len(dims), *dims))
        f.write(payload)


def main():
    out = os.path.join("tests", "data", "synthetic-digits")
    os.makedirs(out, exist_ok=True)
    test_digits = [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]  # MNIST's first ten test labels
    images = b"".join(draw(d, 0.12 * ((i % 3) - 1)) for i, d in enumerate(test_digits))
    write_idx(os.path.join(out, "t10k-images-idx3-ubyte"), [10, 28, 28], images)
    write_idx(os.path.join(out, "t10k-labels-idx1-ubyte"), [10], bytes(test_digits))
    write_idx(os.path.join(out, "train-images-idx3-ubyte"), [1, 28, 28], draw(5, 0.1))
    write_idx(os.path.join(out, "train-labels-idx1-ubyte"), [1], bytes([5]))


if __name__ == "__main__":
    main()
