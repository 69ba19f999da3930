#!/usr/bin/env python3
"""gen_rng_vectors.py - known answers for src/engine/rng.c, from CPython.

Usage (from the top of the source tree):

    python3 tests/rng/gen_rng_vectors.py > tests/data/rng_vectors.txt

The reference is random.Random(seed) of the python3 that runs this script;
only the standard library is used. The output is deterministic: the same
Python (and libm, which gauss() goes through) gives the same file. The
format is described in the header the script prints; tests/test_rng.c reads
it.
"""

import math
import platform
import random
import sys

# random.seed(n) for 0 <= n < 2**64, as rng_seed() takes it. The odd ones
# out sit on the one-word/two-word key boundary of init_by_array.
SEEDS = [
    0, 1, 42, 2**32 - 1, 2**32, 2**63 + 12345,
    2, 3, 7, 123, 1234, 31337, 65535, 65536, 1000003, 20240101,
    2**31 - 1, 2**31, 0xdeadbeef, 2**32 + 1, 2**33, 2**40 + 7,
    2**53, 987654321987, 0x0123456789abcdef, 2**63, 2**64 - 1,
]

# _randbelow(n) bounds: tiny, powers of two and their neighbours (where the
# rejection loop runs most), and the uint64 end of the range.
BELOW_NS = [
    1, 2, 3, 4, 5, 7, 10, 27, 100, 255, 256, 257, 1000, 65537,
    2**31 - 1, 2**31 + 1, 2**32 - 1, 2**32, 2**32 + 1, 2**33 - 1,
    2**40 + 3, 2**53 + 1, 2**63 - 1, 2**63, 2**63 + 1, 2**64 - 1,
]

SHUFFLE_MS = [0, 1, 2, 27, 100]
BIG_SHUFFLE_M = 8403            # about the names.txt line count
BIG_SHUFFLE_SEEDS = {0, 42, 2**32, 2**63 + 12345}
BIG_CHOICE_SEEDS = {0, 42, 2**64 - 1}

# (mu, sigma) pairs; 0.08 is a typical weight-init scale.
GAUSS_PARAMS = [(0.0, 1.0), (0.0, 0.08), (2.5, 0.5), (-1.0, 3.0),
                (0.0, 0.02), (100.0, 1e-3)]

PER_LINE = 12


def fx(x):
    """A double, exactly: C's strtod() reads float.hex() back bit for bit."""
    return float.hex(float(x))


def softmax(logits):
    m = max(logits)
    e = [math.exp(v - m) for v in logits]
    s = sum(e)
    return [v / s for v in e]


def fixed_weights():
    """Weight vectors every seed draws from."""
    return [
        [1.0],
        [1.0, 1.0],
        [0.0, 1.0],
        [1.0, 0.0],
        [0.0, 0.0, 5.0, 0.0],
        [1.0, 0.0, 0.0, 0.0],
        [0.0, 0.0, 0.0, 1.0],
        [0.0, 3.0, 0.0, 0.0, 2.0, 0.0],
        [0.1, 0.2, 0.7],
        [float(i) for i in range(1, 28)],
        [5e-324, 1.0],                  # a subnormal weight
        [5e-324, 5e-324, 5e-324],       # total is subnormal too
        [1e300, 1e300, 1e-300],
    ]


class Out:
    def __init__(self, f):
        self.f = f
        self.ndraws = 0

    def line(self, *fields):
        self.f.write(" ".join(str(x) for x in fields))
        self.f.write("\n")


def emit_u32(o, r, count):
    for i in range(0, count, PER_LINE):
        vals = [r.getrandbits(32) for _ in range(min(PER_LINE, count - i))]
        o.line("u32", *("%x" % v for v in vals))
        o.ndraws += len(vals)


def emit_random(o, r, count):
    for i in range(0, count, PER_LINE):
        vals = [r.random() for _ in range(min(PER_LINE, count - i))]
        o.line("random", *(fx(v) for v in vals))
        o.ndraws += len(vals)


def emit_bits(o, r, ks):
    for i in range(0, len(ks), PER_LINE):
        f = []
        for k in ks[i:i + PER_LINE]:
            f += [k, "%x" % r.getrandbits(k)]
        o.line("bits", *f)
        o.ndraws += len(f) // 2


def emit_below(o, r, n, count):
    o.line("below", n, *(r._randbelow(n) for _ in range(count)))
    o.ndraws += count


def emit_shuffle(o, r, m):
    x = list(range(m))
    r.shuffle(x)
    o.line("shuffle", m, *x)
    o.ndraws += m


def emit_gauss(o, r, mu, sigma, count):
    vals = [r.gauss(mu, sigma) for _ in range(count)]
    o.line("gauss", fx(mu), fx(sigma), *(fx(v) for v in vals))
    o.ndraws += count


def emit_choice(o, r, w, count):
    cum_total = 0.0
    for v in w:
        cum_total += v          # as accumulate() and rng_choice() sum
    f = []
    for _ in range(count):
        # The landing point is random()*total; take it from a copy of the
        # state, then let choices() itself make the draw.
        st = r.getstate()
        u = r.random() * cum_total
        after_u = r.getstate()
        r.setstate(st)
        idx = r.choices(range(len(w)), weights=w)[0]
        assert r.getstate() == after_u
        f += [fx(u), idx]
    o.line("choice", len(w), *(fx(v) for v in w), *f)
    o.ndraws += count


def emit_seed(o, plan, seed):
    r = random.Random(seed)
    o.line("seed", seed)

    # genrand_uint32 across the first twist (624 words) and a bit beyond.
    emit_u32(o, r, 640)
    emit_random(o, r, 300)

    ks = [1, 31, 32, 33, 63, 64, 0] + [plan.randint(0, 64) for _ in range(500)]
    emit_bits(o, r, ks)

    for n in BELOW_NS:
        emit_below(o, r, n, 10)
    for _ in range(6):
        b = plan.randint(1, 64)
        n = plan.randrange(2**(b - 1), 2**b)
        emit_below(o, r, n, 10)

    for m in SHUFFLE_MS:
        emit_shuffle(o, r, m)
    if seed in BIG_SHUFFLE_SEEDS:
        emit_shuffle(o, r, BIG_SHUFFLE_M)

    # gauss() keeps its second value; anything else in between must not
    # disturb it: gauss, random, gauss, gauss, ...
    mu, sigma = GAUSS_PARAMS[0]
    emit_gauss(o, r, mu, sigma, 1)
    emit_random(o, r, 1)
    emit_gauss(o, r, mu, sigma, 2)
    emit_gauss(o, r, mu, sigma, 1)
    emit_u32(o, r, 1)
    emit_gauss(o, r, 2.5, 0.5, 1)   # the cached z, another mu and sigma
    for _ in range(40):
        op = plan.randrange(4)
        if op == 0:
            mu, sigma = plan.choice(GAUSS_PARAMS)
            emit_gauss(o, r, mu, sigma, plan.randint(1, 3))
        elif op == 1:
            emit_random(o, r, plan.randint(1, 2))
        elif op == 2:
            emit_bits(o, r, [plan.randint(0, 64)])
        else:
            emit_below(o, r, plan.choice(BELOW_NS), 1)
    emit_gauss(o, r, 0.0, 0.08, 200)

    for w in fixed_weights():
        emit_choice(o, r, w, 8)
    for temp in (1.0, 0.5, 0.1):
        logits = [plan.gauss(0.0, 3.0) / temp for _ in range(27)]
        emit_choice(o, r, softmax(logits), 12)
    if seed in BIG_CHOICE_SEEDS:
        w = softmax([plan.gauss(0.0, 2.0) for _ in range(1000)])
        emit_choice(o, r, w, 40)

    # Leave one gauss value cached: the next seed line must drop it.
    emit_gauss(o, r, 0.0, 1.0, 1)


def main():
    if sys.version_info < (3, 9):
        sys.exit("gen_rng_vectors.py: needs Python 3.9 or later "
                 "(getrandbits(0))")
    o = Out(sys.stdout)
    o.line("# rng known answers: made by tests/rng/gen_rng_vectors.py with",
           platform.python_implementation(), platform.python_version(),
           "random.Random(seed)")
    o.line("# One call sequence per 'seed' line; state carries from line to"
           " line until the next seed.")
    o.line("# seed S                     rng_seed(S), S decimal")
    o.line("# u32 H...                   rng_u32() each, hex")
    o.line("# random D...                rng_random() each, D as float.hex()")
    o.line("# bits K H ...               pairs: rng_getrandbits(K) == H (hex)")
    o.line("# below N V...               rng_randbelow(N) each, decimal")
    o.line("# shuffle M P0..PM-1         rng_shuffle() of 0..M-1")
    o.line("# gauss MU SIGMA D...        rng_gauss(MU, SIGMA) each")
    o.line("# choice N W0..WN-1 U I ...  pairs: rng_choice(w, N) == I,"
           " landing point U")
    o.line("# end T                      T draws above; nothing follows")
    for seed in SEEDS:
        emit_seed(o, random.Random(0x5eed ^ seed), seed)
    o.line("end", o.ndraws)


if __name__ == "__main__":
    main()
