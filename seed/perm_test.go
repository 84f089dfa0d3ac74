package seed

import "testing"

// TestPerm checks that perm is a bijection of [0, n) and invert undoes apply, for sizes
// around the powers of four the Feistel blocks jump at.
func TestPerm(t *testing.T) {
	for _, n := range []int{1, 2, 3, 4, 5, 15, 16, 17, 63, 64, 65, 1000, 4097} {
		p := newPerm(n, uint64(n)*7919)
		seen := make([]bool, n)
		for x := 0; x < n; x++ {
			v := p.apply(x)
			if v < 0 || v >= n || seen[v] {
				t.Fatalf("n=%d: apply(%d) = %d, out of range or repeated", n, x, v)
			}
			seen[v] = true
			if back := p.invert(v); back != x {
				t.Fatalf("n=%d: invert(apply(%d)) = %d", n, x, back)
			}
		}
	}
}

// TestSpreader checks that the parts add up to the total exactly and stay non-negative.
func TestSpreader(t *testing.T) {
	for _, c := range []struct {
		total, n int
		jitter   float64
	}{{12_345, 4_115, 0.6}, {2_700, 900, 0.8}, {10, 3, 0.5}, {7, 1, 0.5}, {5, 9, 0.9}, {1_000_000, 333_333, 0.8}} {
		s := newSpreader(c.total, c.n, c.jitter, 42)
		sum, lo, hi := 0, c.total, 0
		for i := 0; i < c.n; i++ {
			v := s.at(i)
			if v < 0 {
				t.Fatalf("%+v: part %d = %d", c, i, v)
			}
			sum, lo, hi = sum+v, min(lo, v), max(hi, v)
		}
		if sum != c.total {
			t.Errorf("%+v: parts add up to %d", c, sum)
		}
		if c.total/c.n >= 10 && lo == hi {
			t.Errorf("%+v: every part is %d; the jitter does nothing", c, lo)
		}
	}
}
