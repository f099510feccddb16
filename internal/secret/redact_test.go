package secret

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

// staffToken has the shape of internal/auth's API tokens.
const staffToken = "vigie_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

func TestRedactRemovesSecrets(t *testing.T) {
	hb, _, _ := Format{Prefix: "hb_"}.New()
	vloc, _, _ := Format{Prefix: "vloc_"}.New()
	vagt, _, _ := Format{Prefix: "vagt_"}.New()
	unknown, _, _ := Format{Prefix: "zz_"}.New()
	cases := []struct {
		name, in, want string
	}{
		{"heartbeat token", "ping " + hb + " ok", "ping [REDACTED] ok"},
		{"location token in a path", "/api/v1/probe/" + vloc + "/x", "/api/v1/probe/[REDACTED]/x"},
		{"agent token", "token=" + vagt, "token=[REDACTED]"},
		{"staff token", "key " + staffToken, "key [REDACTED]"},
		{"token of an unregistered prefix", "t=" + unknown, "t=zz_[REDACTED]"},
		{"token cut short", "got " + hb[:30] + "…", "got [REDACTED]…"},
		{"token glued to text", "x" + vloc + "y", "x[REDACTED]"},
		{"bearer header", "Authorization: Bearer abc.def-ghi", "Authorization: Bearer [REDACTED]"},
		{"basic header, lower case", "authorization: basic dXNlcjpwYXNz", "authorization: basic [REDACTED]"},
		{"bearer in prose is kept", "missing bearer token", "missing bearer token"},
		{"URL password", "GET https://bob:s3cr%40t@example.org/x", "GET https://bob:[REDACTED]@example.org/x"},
		{"URL password with raw @ and /", "postgres://u:p@ss/w@db:5432/v", "postgres://u:[REDACTED]@db:5432/v"},
		{"URL without password is kept", "https://bob@example.org/", "https://bob@example.org/"},
		{"query password", "postgres://db/v?sslmode=off&password=hunter2&x=1", "postgres://db/v?sslmode=off&password=[REDACTED]&x=1"},
		{"first query password", "http://h/?password=p&a=b", "http://h/?password=[REDACTED]&a=b"},
		{"sslpassword", "sslpassword=k3y sslmode=verify-full", "sslpassword=[REDACTED] sslmode=verify-full"},
		{"key/value quoted", "host=x password='a b\\' c' dbname=z", "host=x password=[REDACTED] dbname=z"},
		{"key/value spaced", "user=y password = pw dbname=z", "user=y password = [REDACTED] dbname=z"},
		{"unterminated quote", "password='open to the end", "password=[REDACTED]"},
		{"JSON password", `{"user":"a","password":"x\"y"}`, `{"user":"a","password":"[REDACTED]"}`},
		{"metric names are kept", "vigie_probe_runs_total", "vigie_probe_runs_total"},
		{"nothing to redact", "plain text, 42", "plain text, 42"},
		{"empty", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Redact(c.in); got != c.want {
				t.Errorf("Redact(%q)\n got %q\nwant %q", c.in, got, c.want)
			}
		})
	}
}

func TestRegisteredPrefixIsRedacted(t *testing.T) {
	f := NewFormat("tst9_")
	token, _, _ := f.New()
	if got := Redact("a " + token[:len("tst9_")+10]); got != "a "+Redacted {
		t.Fatalf("a cut registered token gave %q", got)
	}
	Register("tst9_") // twice is harmless
	if got := Redact(token); got != Redacted {
		t.Fatalf("Redact(%q) = %q", token, got)
	}
}

// fuzzToken builds a well-formed token of one of the known prefixes from
// fuzz input.
func fuzzToken(which uint8, seed []byte) string {
	ps := append(append([]string(nil), builtinPrefixes...), "zz_")
	sum := sha256.Sum256(seed)
	more := sha256.Sum256(sum[:])
	return ps[int(which)%len(ps)] + hex.EncodeToString(more[:lookupBytes]) + "_" +
		base64.RawURLEncoding.EncodeToString(sum[:])
}

func FuzzRedact(f *testing.F) {
	f.Add("", "", uint8(0), []byte("a"))
	f.Add("Bearer ", "\n", uint8(1), []byte("b"))
	f.Add("password='", "'", uint8(2), []byte("c"))
	f.Add("postgres://u:", "@h/db", uint8(3), []byte("d"))
	f.Add("0123456789abcdef", "_xyz", uint8(4), []byte("e"))
	f.Add("hb_", "vloc_", uint8(5), []byte("f"))
	f.Fuzz(func(t *testing.T, before, after string, which uint8, seed []byte) {
		token := fuzzToken(which, seed)
		in := before + token + after
		out := Redact(in)
		if strings.Contains(out, token) {
			t.Fatalf("Redact(%q) = %q keeps the token", in, out)
		}
		_ = Redact(before) // arbitrary input never panics
		if again := Redact(out); strings.Contains(again, token) {
			t.Fatalf("redacting twice brought the token back: %q", again)
		}
	})
}

type stringer string

func (s stringer) String() string { return string(s) }

type nilStringer struct{ s *string }

func (n *nilStringer) String() string { return *n.s }

type creds struct{ User, Token string }

func TestRedactingHandlerRedactsEveryTextualValue(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(RedactingHandler(slog.NewTextHandler(&buf, nil)))
	log = log.With("dsn", "postgres://u:pw1@db/x").WithGroup("g").With(slog.Group("inner", "auth", "Bearer tok2"))
	var nilS *nilStringer
	log.Info("using "+staffToken,
		"err", errors.New("connect postgres://u:pw3@db: refused"),
		"stringer", stringer("password=pw4"),
		"bytes", []byte("sslpassword=pw5"),
		"struct", creds{User: "bob", Token: staffToken},
		"plain", 42,
		"nil", nilS,
		slog.Group("grp", "k", "Basic pw6"),
	)
	out := buf.String()
	for _, leak := range []string{staffToken, "pw1", "tok2", "pw3", "pw4", "pw5", "pw6"} {
		if strings.Contains(out, leak) {
			t.Errorf("log line holds %q:\n%s", leak, out)
		}
	}
	for _, kept := range []string{"plain=42", "g.inner.auth=\"Bearer [REDACTED]\"", "dsn=postgres://u:[REDACTED]@db/x", "User:bob", "!PANIC"} {
		if !strings.Contains(out, kept) {
			t.Errorf("log line lacks %q:\n%s", kept, out)
		}
	}
}

func TestRedactingHandlerKeepsLevelsAndIsIdempotent(t *testing.T) {
	inner := slog.NewTextHandler(&bytes.Buffer{}, &slog.HandlerOptions{Level: slog.LevelWarn})
	h := RedactingHandler(inner)
	if h.Enabled(context.Background(), slog.LevelInfo) || !h.Enabled(context.Background(), slog.LevelError) {
		t.Fatal("levels of the wrapped handler not kept")
	}
	if RedactingHandler(h) != h {
		t.Fatal("wrapping twice redacts twice")
	}
}
