/* SPDX-License-Identifier: MIT */
/* baseline.h - the plain scalar MicroGPT the benchmarks measure the engine
 * against: the C a reader would write from microgpt.py (llama2.c's shape),
 * built with the project's CFLAGS and nothing else (no vector kernels, no
 * target clones, no blocking).
 *
 * It trains on the same data with the same seed as the engine: it shuffles
 * the documents and draws the parameters with the engine's rng.c and
 * dataset.c, and its forward pass performs the reference's operations in
 * the reference's order, so its first loss equals the engine's bit for bit.
 * Its backward pass sums in its own order; tests/test_baseline.c holds the
 * later losses to the engine's within a stated tolerance, so that the
 * benchmark compares equal work. */
#ifndef MGPT_BASELINE_H
#define MGPT_BASELINE_H

#include <stdint.h>

struct dataset;
struct baseline;

/* The reference's preamble on ds (shuffled in place, as trainer_init
 * does): seed, shuffle, parameters. The sizes must be valid (n_embd %
 * n_head == 0); n_steps sets the learning-rate decay. */
struct baseline *baseline_new(struct dataset *ds, int n_embd, int n_head, int n_layer,
                              int block_size, uint64_t seed, long n_steps);
/* Train the next step (document step % n_docs): forward, backward, Adam.
 * Returns the step's mean loss; *n_pos gets the positions trained. */
double baseline_step(struct baseline *b, int *n_pos);
void   baseline_free(struct baseline *b);

/* The same code built -O3 -march=native (Makefile.am compiles baseline.c a
 * second time with these names, for bench/bench_train only): the issue's
 * "C port built -O3 -march=native". */
struct baseline *baseline_native_new(struct dataset *ds, int n_embd, int n_head, int n_layer,
                                     int block_size, uint64_t seed, long n_steps);
double baseline_native_step(struct baseline *b, int *n_pos);
void   baseline_native_free(struct baseline *b);

#endif
