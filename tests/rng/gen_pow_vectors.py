#!/usr/bin/env python3
"""Print known answers for x ** y as CPython computes it (the C library's
pow() at run time), for the exponents the reference algorithm uses:
-1 (division by a Value), -0.5 (rmsnorm's scale) and 0.5 (head_dim ** 0.5).

Half the cases are ones where pow() differs from the correctly rounded
1/x, 1/sqrt(x) or sqrt(x): a build that lets the compiler rewrite pow()
fails on them. Output lines: "pow <x hex> <y hex> <x**y hex>".

Usage: python3 tests/rng/gen_pow_vectors.py > tests/data/pow_vectors.txt
"""
import math
import platform
import random

rng = random.Random(20261128)
print(f"# made by tests/rng/gen_pow_vectors.py with Python {platform.python_version()}"
      f" ({platform.libc_ver()[0]} {platform.libc_ver()[1]})")


def exact(x, y):
    if y == -1.0:
        return 1.0 / x
    if y == 0.5:
        return math.sqrt(x)
    return None


count = 0
for y, lo, hi in ((-1.0, 0.5, 40.0), (-0.5, 1e-5, 20.0), (0.5, 1.0, 4096.0)):
    differ, same = [], []
    while len(differ) < 200 or len(same) < 100:
        x = rng.uniform(lo, hi)
        if y == 0.5 and len(same) < 60:
            x = float(rng.randint(1, 4096))   # head_dim values
        r = x ** y
        e = exact(x, y)
        if e is not None and r != e:
            if len(differ) < 200:
                differ.append((x, r))
        elif len(same) < 100:
            same.append((x, r))
        if y == -0.5 and len(same) >= 100:
            break
    for x, r in differ + same:
        print(f"pow {x.hex()} {y.hex()} {r.hex()}")
        count += 1
print(f"end {count}")
