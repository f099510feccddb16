package web

// SetStreamBatch makes streams read n rows at a time until restore.
func SetStreamBatch(n int) (restore func()) {
	old := streamBatch.Swap(int64(n))
	return func() { streamBatch.Store(old) }
}
