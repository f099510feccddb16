package auth

import (
	"sync"
	"time"
)

const (
	// cacheTTL is how long a verified token is trusted without argon2. It is
	// an upper bound only: a token revoked elsewhere stops working here once
	// the auth generation is read again (see generation.go), within about
	// generationCheck.
	cacheTTL = 60 * time.Second
	// touchInterval is the least time between two writes of a token's
	// last_used_at, so that busy API clients do not write on every call.
	touchInterval = time.Minute
	// maxCacheEntries bounds memory; staff tokens are few, so reaching it
	// means something unusual and clearing the cache is an acceptable answer.
	maxCacheEntries = 1024
)

// cacheEntry is a token verified recently.
type cacheEntry struct {
	principal Principal
	tokenID   int64
	// gen is the auth generation the token and its user were read at: a
	// newer generation means they may have changed since.
	gen int64
	// checked is when the database last confirmed the entry, for the grace
	// given when the database cannot be reached.
	checked time.Time
	// expires is cacheTTL after the argon2 verification; re-reading the
	// token does not extend it.
	expires time.Time
}

// tokenCache remembers recent successful token checks, keyed by the SHA-256
// of the secret so that secrets are not kept in memory, and when each token's
// last use was last written.
type tokenCache struct {
	mu       sync.Mutex
	entries  map[[32]byte]cacheEntry
	lastUsed map[int64]time.Time
	// revocations counts forget calls, so that a check that read its token
	// before a revocation does not cache it after.
	revocations uint64
}

func newTokenCache() *tokenCache {
	return &tokenCache{entries: map[[32]byte]cacheEntry{}, lastUsed: map[int64]time.Time{}}
}

// get returns the unexpired entry for key.
func (c *tokenCache) get(key [32]byte, now time.Time) (cacheEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok {
		return cacheEntry{}, false
	}
	if !now.Before(e.expires) {
		delete(c.entries, key)
		return cacheEntry{}, false
	}
	return e, true
}

// generation returns a value to pass to put, read before the database.
func (c *tokenCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.revocations
}

// put caches e unless a token was revoked since generation returned gen.
func (c *tokenCache) put(key [32]byte, e cacheEntry, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.revocations {
		return
	}
	if len(c.entries) >= maxCacheEntries {
		now := e.expires.Add(-cacheTTL)
		for k, old := range c.entries {
			if !now.Before(old.expires) {
				delete(c.entries, k)
			}
		}
		if len(c.entries) >= maxCacheEntries {
			clear(c.entries)
		}
	}
	c.entries[key] = e
}

// refresh replaces the entry for key after its token was read again, unless
// it expired, was dropped or a token was revoked here in the meantime.
func (c *tokenCache) refresh(key [32]byte, e cacheEntry, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	old, ok := c.entries[key]
	if !ok || gen != c.revocations || old.tokenID != e.tokenID {
		return
	}
	e.expires = old.expires
	c.entries[key] = e
}

// drop removes the entry for key, whose token is gone or unusable.
func (c *tokenCache) drop(key [32]byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, key)
}

// forget drops everything known about a token, after its revocation.
func (c *tokenCache) forget(tokenID int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.revocations++
	for k, e := range c.entries {
		if e.tokenID == tokenID {
			delete(c.entries, k)
		}
	}
	delete(c.lastUsed, tokenID)
}

// seedLastUsed records the last use read from the database, unless this
// process already knows a value.
func (c *tokenCache) seedLastUsed(tokenID int64, t *time.Time) {
	if t == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.lastUsed[tokenID]; !ok {
		c.lastUsed[tokenID] = *t
	}
}

// claimTouch reports whether the token's last use should be written now, and
// if so records now so that concurrent calls do not write it too.
func (c *tokenCache) claimTouch(tokenID int64, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if last, ok := c.lastUsed[tokenID]; ok && now.Sub(last) < touchInterval {
		return false
	}
	c.lastUsed[tokenID] = now
	return true
}

// releaseTouch forgets a claim whose write failed, so the next call retries.
func (c *tokenCache) releaseTouch(tokenID int64, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lastUsed[tokenID].Equal(now) {
		delete(c.lastUsed, tokenID)
	}
}
