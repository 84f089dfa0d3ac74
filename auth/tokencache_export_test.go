package auth

// Len is how many tokens the cache holds, for the tests of its bound.
func (c *TokenCache) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.entries)
}
