#!/usr/bin/env python3
"""make_test_wavs.py DIR: the WAV files the decode-check tests feed the programs (16-bit mono, 22050 Hz),
made with the standard library only:
  good_a.wav, good_b.wav   2 s tones
  long.wav                 8 s tone
  truncated.wav            long.wav cut to its first quarter: its header declares 8 s, it holds 2 s
  one_sample.wav           a single sample
"""
import math
import os
import struct
import sys
import wave


def tone(path, seconds, f0):
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(22050)
        n = int(seconds * 22050)
        w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * f0 * i / 22050))) for i in range(n)))


d = sys.argv[1]
os.makedirs(d, exist_ok=True)
tone(f"{d}/good_a.wav", 2, 440)
tone(f"{d}/good_b.wav", 2, 550)
tone(f"{d}/long.wav", 8, 660)
data = open(f"{d}/long.wav", "rb").read()
open(f"{d}/truncated.wav", "wb").write(data[: 44 + (len(data) - 44) // 4])
tone(f"{d}/one_sample.wav", 1 / 22050, 440)
