package seed

import (
	"runtime"
	"testing"
	"time"
)

// TestMemoryFlat checks that the seeder's memory does not grow with the scale. What lives
// through a whole seed is the world and the jobs made from it (with whatever their closures
// capture); rows are generated entity by entity. So it builds both at scales 1 and 50,
// generates the first chunk of every job, and compares the heap still in use: a
// list of members, verified members or per-issue parts would make scale 50 several times
// larger, while fixed state leaves the two about equal.
func TestMemoryFlat(t *testing.T) {
	small, large := retainedHeap(t, 1), retainedHeap(t, 50)
	t.Logf("heap held by world and jobs: %.2f MiB at scale 1, %.2f MiB at scale 50", mib(small), mib(large))
	if float64(large) > 1.5*float64(small) {
		t.Errorf("scale 50 holds %.2f MiB, more than 1.5 × the %.2f MiB of scale 1", mib(large), mib(small))
	}
}

// retainedHeap gives the heap held, after garbage collection, by a world and its jobs once
// the first chunk of every job has been generated (a job may not fill a cache or grow a
// buffer as it goes). The smallest of three runs discounts allocations of anything else in
// the process.
func retainedHeap(t *testing.T, scale int) uint64 {
	var least uint64
	for run := 0; run < 3; run++ {
		before := heapAlloc()
		jobs := buildWorld(Options{Profile: "chaohu", Seed: 1, Scale: scale, AsOf: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)}).jobs()
		generated := 0
		for _, j := range jobs {
			generated += firstChunk(t, j)
		}
		if generated == 0 {
			t.Fatalf("scale %d: no rows generated", scale)
		}
		after := heapAlloc()
		runtime.KeepAlive(jobs)
		held := after - min(before, after) // zero, not a wrap-around, should a collection free more
		if run == 0 || held < least {
			least = held
		}
	}
	return least
}

// firstChunk generates the rows of the job's first chunk as runChunk would, without a
// database, and counts them.
func firstChunk(t *testing.T, j job) int {
	src := &entitySource{job: j, r: newRowRand(1), end: min(chunkEntities, j.entities), p: newProgress(nil)}
	n := 0
	for src.Next() {
		if _, err := src.Values(); err != nil {
			t.Fatal(err)
		}
		n++
	}
	return n
}

func heapAlloc() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func mib(n uint64) float64 { return float64(n) / (1 << 20) }
