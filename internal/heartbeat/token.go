package heartbeat

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// A token reads hb_<lookup>_<secret>: the lookup is 16 lower-case hex
// characters stored in clear to find the row, the secret 32 random bytes in
// unpadded base64url, stored only as a hash. The token sits in the URL a job
// calls, so it is the credential: no header is needed.
const (
	tokenPrefix = "hb_"
	lookupBytes = 8
	secretBytes = 32
)

var (
	lookupLen = hex.EncodedLen(lookupBytes)
	tokenLen  = len(tokenPrefix) + lookupLen + 1 + base64.RawURLEncoding.EncodedLen(secretBytes)
	// Strict refuses non-zero trailing bits, so each token has one spelling.
	secretBase64 = base64.RawURLEncoding.Strict()
)

// newToken returns a fresh token with its lookup id and the hash to store.
func newToken() (token, lookup, hash string) {
	l := make([]byte, lookupBytes)
	s := make([]byte, secretBytes)
	_, _ = rand.Read(l) // crypto/rand.Read never fails
	_, _ = rand.Read(s)
	lookup = hex.EncodeToString(l)
	secret := secretBase64.EncodeToString(s)
	return tokenPrefix + lookup + "_" + secret, lookup, hashSecret(secret)
}

// parseToken splits a well-formed token into its lookup id and secret;
// anything else is refused before any database work.
func parseToken(token string) (lookup, secret string, ok bool) {
	if len(token) != tokenLen || !strings.HasPrefix(token, tokenPrefix) {
		return "", "", false
	}
	rest := token[len(tokenPrefix):]
	lookup, secret, found := strings.Cut(rest, "_")
	if !found || len(lookup) != lookupLen || lookup != strings.ToLower(lookup) {
		return "", "", false
	}
	if _, err := hex.DecodeString(lookup); err != nil {
		return "", "", false
	}
	if b, err := secretBase64.DecodeString(secret); err != nil || len(b) != secretBytes {
		return "", "", false
	}
	return lookup, secret, true
}

// hashSecret is the stored form of a secret. SHA-256 suffices because the
// secret has 256 random bits: a slow hash protects guessable passwords, and
// here would only make every unauthenticated ping cost CPU.
func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// secretMatches compares a secret with a stored hash in constant time.
func secretMatches(secret, hash string) bool {
	return subtle.ConstantTimeCompare([]byte(hashSecret(secret)), []byte(hash)) == 1
}
