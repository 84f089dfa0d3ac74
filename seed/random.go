package seed

import (
	"hash/fnv"
	"math/rand/v2"
)

// rowRand gives every generated entity its own random stream, derived from the seed, the
// stream's name and the entity's index. Entities can therefore be generated in any order, in
// chunks, and again after an interruption, always with the same values: that is what makes
// seeding deterministic and resumable without keeping generated rows in memory.
type rowRand struct {
	seed uint64
	pcg  rand.PCG
	*rand.Rand
}

func newRowRand(seed uint64) *rowRand {
	r := &rowRand{seed: seed}
	r.Rand = rand.New(&r.pcg)
	return r
}

// at positions the stream on entity i of the named stream.
func (r *rowRand) at(stream string, i int) *rowRand {
	h := fnv.New64a()
	h.Write([]byte(stream))
	s := h.Sum64()
	r.pcg.Seed(splitmix(r.seed^s), splitmix(uint64(i)^(s<<1)))
	return r
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// pick returns one element of xs.
func pick[T any](r *rowRand, xs []T) T { return xs[r.IntN(len(xs))] }

// chance is true with probability p.
func (r *rowRand) chance(p float64) bool { return r.Float64() < p }

// between returns an int in [lo, hi].
func (r *rowRand) between(lo, hi int) int { return lo + r.IntN(hi-lo+1) }

// spread splits total into n non-negative parts that add up to total exactly, each within
// about ±jitter of the mean: published totals come out exact while single values vary.
func spread(r *rowRand, total, n int, jitter float64) []int {
	parts := make([]int, n)
	if n == 0 {
		return parts
	}
	mean := total / n
	for i := range parts {
		parts[i] = mean
	}
	for i := 0; i < total-mean*n; i++ {
		parts[i%n]++
	}
	// Move random amounts between pairs: the sum stays exact.
	for i := 0; i+1 < n; i += 2 {
		d := int(float64(mean) * jitter * r.Float64())
		if d > parts[i+1] {
			d = parts[i+1]
		}
		parts[i] += d
		parts[i+1] -= d
	}
	r.Shuffle(n, func(i, j int) { parts[i], parts[j] = parts[j], parts[i] })
	return parts
}
