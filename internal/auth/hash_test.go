package auth

import (
	"errors"
	"strings"
	"testing"
)

func TestHashParametersRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		p    params
	}{
		{"light", lightParams},
		{"several threads, short salt, long key", params{memory: 64, time: 3, threads: 4, saltLen: 8, keyLen: 64}},
		{"tokens", tokenParams},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			encoded := hashSecret("s3cret-passphrase", tt.p)
			got, salt, key, err := parseHash(encoded)
			if err != nil {
				t.Fatalf("parseHash(%q): %v", encoded, err)
			}
			if got != tt.p {
				t.Errorf("parameters read back %+v, want %+v", got, tt.p)
			}
			if len(salt) != int(tt.p.saltLen) || len(key) != int(tt.p.keyLen) {
				t.Errorf("salt %d bytes, key %d bytes; want %d and %d", len(salt), len(key), tt.p.saltLen, tt.p.keyLen)
			}
			if ok, _, err := verifySecret("s3cret-passphrase", encoded); err != nil || !ok {
				t.Errorf("verify right secret = %v, %v; want true", ok, err)
			}
			if ok, _, err := verifySecret("s3cret-passphrasE", encoded); err != nil || ok {
				t.Errorf("verify wrong secret = %v, %v; want false", ok, err)
			}
		})
	}
}

func TestHashUsesRecommendedPasswordParameters(t *testing.T) {
	encoded := hashSecret("correct horse battery staple", passwordParams)
	if want := "$argon2id$v=19$m=19456,t=2,p=1$"; !strings.HasPrefix(encoded, want) {
		t.Fatalf("hash %q does not start with %q", encoded, want)
	}
	if ok, p, err := verifySecret("correct horse battery staple", encoded); err != nil || !ok || p != passwordParams {
		t.Fatalf("verify = %v, %+v, %v; want true with the password parameters", ok, p, err)
	}
}

func TestHashSaltsEachHash(t *testing.T) {
	if a, b := hashSecret("same secret", lightParams), hashSecret("same secret", lightParams); a == b {
		t.Fatalf("two hashes of one secret are equal: %q", a)
	}
}

func TestVerifyReadsParametersFromTheStoredHash(t *testing.T) {
	encoded := hashSecret("s3cret-passphrase", lightParams)
	// The same salt and key under another cost must no longer match: the
	// verifier used what the string says, not the current defaults.
	changed := strings.Replace(encoded, "t=1", "t=2", 1)
	ok, p, err := verifySecret("s3cret-passphrase", changed)
	if err != nil {
		t.Fatal(err)
	}
	if ok || p.time != 2 {
		t.Fatalf("verify with t=2 = %v, t=%d; want false with t=2", ok, p.time)
	}
}

func TestParseHashRefusesMalformed(t *testing.T) {
	const salt, key = "c2FsdHNhbHRzYWx0c2FsdA", "a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U"
	tests := []struct{ name, encoded string }{
		{"empty", ""},
		{"plain text", "hunter2hunter2"},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"argon2i", "$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + key},
		{"old version", "$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + key},
		{"missing parameter", "$argon2id$v=19$m=64,t=1$" + salt + "$" + key},
		{"parameters out of order", "$argon2id$v=19$t=1,m=64,p=1$" + salt + "$" + key},
		{"zero memory", "$argon2id$v=19$m=0,t=1,p=1$" + salt + "$" + key},
		{"memory below 8 KiB per thread", "$argon2id$v=19$m=16,t=1,p=4$" + salt + "$" + key},
		{"huge memory", "$argon2id$v=19$m=4194304,t=1,p=1$" + salt + "$" + key},
		{"zero time", "$argon2id$v=19$m=64,t=0,p=1$" + salt + "$" + key},
		{"huge time", "$argon2id$v=19$m=64,t=1000,p=1$" + salt + "$" + key},
		{"zero threads", "$argon2id$v=19$m=64,t=1,p=0$" + salt + "$" + key},
		{"too many threads", "$argon2id$v=19$m=4096,t=1,p=256$" + salt + "$" + key},
		{"negative", "$argon2id$v=19$m=-64,t=1,p=1$" + salt + "$" + key},
		{"bad salt", "$argon2id$v=19$m=64,t=1,p=1$!!!$" + key},
		{"short salt", "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$" + key},
		{"padded key", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key + "="},
		{"short key", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$a2V5"},
		{"extra field", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key + "$x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, _, err := parseHash(tt.encoded); !errors.Is(err, errBadHash) {
				t.Fatalf("parseHash(%q) = %v, want errBadHash", tt.encoded, err)
			}
			if ok, _, err := verifySecret("anything", tt.encoded); ok || err == nil {
				t.Fatalf("verifySecret on %q = %v, %v; want an error", tt.encoded, ok, err)
			}
		})
	}
}
