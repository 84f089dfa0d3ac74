package seed

// perm is a keyed pseudo-random permutation of [0, n) that needs no memory: a four-round
// balanced Feistel network over the smallest square power of two holding n, with
// cycle-walking back into [0, n). It replaces shuffled index lists, whose size would grow
// with the scale: member i's position is apply(i), and the member at position p is invert(p).
type perm struct {
	n    uint64
	half uint   // bits in each half of a Feistel block
	mask uint64 // 1<<half - 1
	keys [4]uint64
}

func newPerm(n int, key uint64) perm {
	p := perm{n: uint64(max(n, 0))}
	for uint64(1)<<(2*p.half) < p.n {
		p.half++
	}
	p.mask = 1<<p.half - 1
	for k := range p.keys {
		p.keys[k] = splitmix(key ^ splitmix(uint64(k)+1))
	}
	return p
}

// apply gives the position of x, for x in [0, n). The block covers at most 4n values, so the
// walk takes four steps on average.
func (p perm) apply(x int) int {
	v := uint64(x)
	for {
		v = p.encrypt(v)
		if v < p.n {
			return int(v)
		}
	}
}

// invert gives the x whose position is v: apply(invert(v)) == v.
func (p perm) invert(v int) int {
	x := uint64(v)
	for {
		x = p.decrypt(x)
		if x < p.n {
			return int(x)
		}
	}
}

func (p perm) round(x, key uint64) uint64 { return splitmix(x^key) & p.mask }

func (p perm) encrypt(v uint64) uint64 {
	l, r := v>>p.half, v&p.mask
	for _, k := range p.keys {
		l, r = r, l^p.round(r, k)
	}
	return l<<p.half | r
}

func (p perm) decrypt(v uint64) uint64 {
	l, r := v>>p.half, v&p.mask
	for k := len(p.keys) - 1; k >= 0; k-- {
		l, r = r^p.round(l, p.keys[k]), l
	}
	return l<<p.half | r
}

// spreader splits total into n non-negative parts that add up to total exactly, like spread,
// but computes each part on its own, so a split into millions of parts takes no memory.
// Parts pair up: part 2j gains what part 2j+1 loses, a random amount up to jitter × the
// mean; a keyed permutation hides the pairing.
type spreader struct {
	total, n int
	jitter   float64
	key      uint64
	order    perm
}

func newSpreader(total, n int, jitter float64, key uint64) spreader {
	return spreader{total: total, n: n, jitter: jitter, key: key, order: newPerm(n, splitmix(key))}
}

// at gives part i, for i in [0, n).
func (s spreader) at(i int) int {
	p := s.order.apply(i)
	if p|1 >= s.n {
		return s.base(p) // the last part of an odd split has no partner
	}
	u := float64(splitmix(s.key^splitmix(uint64(p/2)))>>11) / (1 << 53)
	d := min(int(float64(s.total/s.n)*s.jitter*u), s.base(p|1))
	if p%2 == 0 {
		return s.base(p) + d
	}
	return s.base(p) - d
}

// base is part p before the pairs trade: the mean, plus one for the first parts, which
// share the remainder.
func (s spreader) base(p int) int {
	mean := s.total / s.n
	if p < s.total-mean*s.n {
		return mean + 1
	}
	return mean
}
