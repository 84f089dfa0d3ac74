package resolvers

// SetFetchHook makes f run before every loader fetch (the name of the type read, and the
// keys) until the returned restore is called.
func SetFetchHook(f func(loader string, keys any)) (restore func()) {
	fetchHook.Store(&f)
	return func() { fetchHook.Store(nil) }
}
