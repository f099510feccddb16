package auth

import (
	"crypto/sha256"
	"testing"
	"time"
)

func TestCacheSkipsChecksThatStartedBeforeARevocation(t *testing.T) {
	c := newTokenCache()
	key := sha256.Sum256([]byte("secret"))
	now := time.Unix(1_700_000_000, 0)
	// A check reads its token, then another token is revoked while argon2
	// runs: the check may succeed, but must not be remembered.
	gen := c.generation()
	c.forget(7)
	c.put(key, cacheEntry{tokenID: 1, expires: now.Add(cacheTTL)}, gen)
	if _, ok := c.get(key, now); ok {
		t.Fatal("a check that started before a revocation was cached")
	}
	c.put(key, cacheEntry{tokenID: 1, expires: now.Add(cacheTTL)}, c.generation())
	if _, ok := c.get(key, now); !ok {
		t.Fatal("a check that started after the revocation was not cached")
	}
}

func TestCacheStaysBounded(t *testing.T) {
	c := newTokenCache()
	now := time.Unix(1_700_000_000, 0)
	for i := range maxCacheEntries + 10 {
		key := sha256.Sum256([]byte{byte(i), byte(i >> 8)})
		c.put(key, cacheEntry{tokenID: int64(i), expires: now.Add(cacheTTL)}, c.generation())
	}
	if n := len(c.entries); n > maxCacheEntries {
		t.Fatalf("%d cache entries, want at most %d", n, maxCacheEntries)
	}
}
