/*
 * Long reference runs of the M/G/c FCFS queue, for tests/test_simulation_coverage.py.
 *
 * An implementation independent of perfcalc.simulation: its own generator (xoshiro256**, seeded by
 * splitmix64; Blackman & Vigna), normals by Box-Muller instead of the inverse CDF, its own heap, and
 * quantiles from a log-spaced histogram (bins 1e-4 wide in ln t: the value is within 0.005 % of the
 * order statistic). Time is in mean service times; service is lognormal with mean 1 and the given sigma,
 * or exponential when sigma is 0.
 *
 * Each of REPS independent replications drops WARMUP arrivals, then measures N; the pooled histogram
 * gives the quantiles, the spread of the replications' own quantiles their standard error.
 *
 *   cc -O2 -o mgc_reference mgc_reference.c -lm
 *   ./mgc_reference RHO C SIGMA WARMUP N REPS SEED
 *
 * e.g. ./mgc_reference 0.5 5 1.4281695815697704 1000000 10000000 40 505
 * (sigma for a p99 ten times the mean: perfcalc.simulation.lognormal_sigma(50, 500)).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t state[4], split;

static uint64_t splitmix64(void) {
    uint64_t z = (split += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t xoshiro256ss(void) {
    uint64_t result = rotl(state[1] * 5, 7) * 9, t = state[1] << 17;
    state[2] ^= state[0]; state[3] ^= state[1]; state[1] ^= state[2]; state[0] ^= state[3];
    state[2] ^= t; state[3] = rotl(state[3], 45);
    return result;
}

static double uniform(void) { return ((xoshiro256ss() >> 11) + 0.5) * 0x1.0p-53; } /* in (0, 1) */

static int have_spare; static double spare;
static double normal(void) { /* Box-Muller, both values used */
    if (have_spare) { have_spare = 0; return spare; }
    double r = sqrt(-2 * log(uniform())), a = 2 * M_PI * uniform();
    spare = r * sin(a); have_spare = 1;
    return r * cos(a);
}

#define LOG_LOW (-6.0 * 2.302585092994046) /* 1e-6 mean service times */
#define BIN 1e-4
#define BINS 300000
static uint64_t hist[BINS], pooled[BINS];

static void count(uint64_t *h, double t) {
    long b = (long)floor((log(t) - LOG_LOW) / BIN);
    h[b < 0 ? 0 : b >= BINS ? BINS - 1 : b]++;
}

static double quantile(const uint64_t *h, uint64_t n, double q) { /* nearest rank */
    uint64_t rank = (uint64_t)ceil(q * n), seen = 0;
    for (long b = 0; b < BINS; b++) if ((seen += h[b]) >= rank) return exp(LOG_LOW + (b + 0.5) * BIN);
    return INFINITY;
}

int main(int argc, char **argv) {
    if (argc != 8) { fprintf(stderr, "usage: %s RHO C SIGMA WARMUP N REPS SEED\n", argv[0]); return 2; }
    double rho = atof(argv[1]), sigma = atof(argv[3]);
    int c = atoi(argv[2]), reps = atoi(argv[6]);
    long warmup = atol(argv[4]), n = atol(argv[5]);
    split = strtoull(argv[7], 0, 10);
    for (int i = 0; i < 4; i++) state[i] = splitmix64();
    double rate = rho * c, mu = -sigma * sigma / 2, *free_at = malloc(sizeof(double) * c);
    const double levels[4] = {0.5, 0.95, 0.99, 0.999};
    const char *names[5] = {"p50", "p95", "p99", "p999", "wait"};
    double sum[5] = {0}, sum2[5] = {0}, waited = 0;
    for (int r = 0; r < reps; r++) {
        memset(hist, 0, sizeof hist);
        for (int i = 0; i < c; i++) free_at[i] = 0;
        double clock = 0, wait_sum = 0;
        for (long i = 0; i < warmup + n; i++) {
            clock += -log(uniform()) / rate;
            double service = sigma > 0 ? exp(mu + sigma * normal()) : -log(uniform());
            double start = free_at[0] > clock ? free_at[0] : clock, done = start + service;
            int j = 0; /* replace the heap's top (the earliest free worker) with done, sift down */
            for (;;) {
                int l = 2 * j + 1, m = j;
                if (l < c && free_at[l] < done) m = l;
                if (l + 1 < c && free_at[l + 1] < (m == j ? done : free_at[l])) m = l + 1;
                if (m == j) break;
                free_at[j] = free_at[m]; j = m;
            }
            free_at[j] = done;
            if (i >= warmup) { count(hist, done - clock); count(pooled, done - clock); wait_sum += start - clock; }
            if (clock > 1e6) { /* keep the clock small: shift every time by it (after measuring this arrival) */
                for (int k = 0; k < c; k++) free_at[k] = free_at[k] > clock ? free_at[k] - clock : 0;
                clock = 0;
            }
        }
        double value[5];
        for (int k = 0; k < 4; k++) value[k] = quantile(hist, n, levels[k]);
        value[4] = wait_sum / n; waited += wait_sum;
        for (int k = 0; k < 5; k++) { sum[k] += value[k]; sum2[k] += value[k] * value[k]; }
    }
    printf("rho=%g c=%d sigma=%.17g warmup=%ld n=%ld reps=%d\n", rho, c, sigma, warmup, n, reps);
    for (int k = 0; k < 5; k++) {
        double mean = sum[k] / reps, se = sqrt((sum2[k] - reps * mean * mean) / (reps - 1) / reps);
        double all = k < 4 ? quantile(pooled, (uint64_t)n * reps, levels[k]) : waited / ((double)n * reps);
        printf("%s %.6f se %.6f\n", names[k], all, se);
    }
    return 0;
}
