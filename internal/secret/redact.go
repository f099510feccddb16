package secret

import (
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Redacted replaces what Redact removes.
const Redacted = "[REDACTED]"

// builtinPrefixes are the token prefixes Vigie issues. Formats declared as
// struct literals elsewhere are covered by this list; staff API tokens
// ("vigie_", made by internal/auth) share the shape of the others.
var builtinPrefixes = []string{"hb_", "vloc_", "vagt_", "vigie_"}

var (
	registryMu sync.Mutex
	prefixes   = slices.Clone(builtinPrefixes)
	// tokenRE matches the tokens of every registered prefix; it is rebuilt
	// when a prefix is registered and read without a lock.
	tokenRE atomic.Pointer[regexp.Regexp]
)

func init() { tokenRE.Store(compileTokens(prefixes)) }

// NewFormat returns the Format of prefix and registers the prefix, so that
// Redact removes its tokens from logs.
func NewFormat(prefix string) Format {
	Register(prefix)
	return Format{Prefix: prefix}
}

// Register adds a token prefix to those Redact looks for.
func Register(prefix string) {
	if prefix == "" {
		return
	}
	registryMu.Lock()
	defer registryMu.Unlock()
	if slices.Contains(prefixes, prefix) {
		return
	}
	prefixes = append(prefixes, prefix)
	tokenRE.Store(compileTokens(prefixes))
}

// compileTokens builds the token pattern. A registered prefix followed by
// at least 8 hex characters of a lookup is a token, whole or cut short
// (words such as vigie_http_requests are not); so is the lookup-and-secret
// shape behind an unknown prefix. The token alphabet
// (letters, digits, "_" and "-") covers every part of a token and the runs
// are greedy, so a match that starts in or before a token always runs to
// its end.
func compileTokens(ps []string) *regexp.Regexp {
	quoted := make([]string, len(ps))
	for i, p := range ps {
		quoted[i] = regexp.QuoteMeta(p)
	}
	// Longest first, so that a prefix ending another one wins the match.
	slices.SortFunc(quoted, func(a, b string) int { return len(b) - len(a) })
	return regexp.MustCompile(`(?:` + strings.Join(quoted, "|") + `)[0-9a-f]{8}[A-Za-z0-9_-]*` +
		`|[0-9a-f]{16}_[A-Za-z0-9_-]{43,}`)
}

var (
	// authRE matches an HTTP credential after its scheme. The credential
	// alphabet is token68's, which also covers quoted-looking garbage
	// well enough for logs.
	authRE = regexp.MustCompile(`(?i)\b(bearer|basic)(\s+|%20|\+)([A-Za-z0-9._~+/=:%-]+)`)
	// userinfoRE matches the password of a URL's userinfo, up to the last
	// "@" before white space: a password with an unescaped "@" or "/" is
	// still removed whole.
	userinfoRE = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://[^\s/?#@:]*):[^\s]*@`)
	// passwordRE matches password=VALUE (also sslpassword=, ?password=,
	// &password=, password = 'quoted value'): a quoted value runs to its
	// closing quote, or to the end when there is none.
	passwordRE = regexp.MustCompile(`(?i)(password\s*=\s*)('(?:[^'\\]|\\.?)*'?|"(?:[^"\\]|\\.?)*"?|[^\s&;,'"]*)`)
	// jsonPasswordRE matches "password": "VALUE" in JSON and similar.
	jsonPasswordRE = regexp.MustCompile(`(?i)("(?:ssl)?password"\s*:\s*)("(?:[^"\\]|\\.?)*"?)`)
)

// notCredentials are words that follow "bearer" or "basic" in prose ("a
// bearer token is missing"); they are left as they are.
var notCredentials = map[string]bool{
	"token": true, "tokens": true, "auth": true, "authentication": true, "authorization": true,
	"credential": true, "credentials": true, "scheme": true, "realm": true, "header": true,
}

// Redact returns s with every secret it recognises replaced by Redacted:
// tokens of the registered formats, Bearer and Basic credentials, URL
// passwords and password=VALUE settings. It may remove more than a secret,
// never less of one it recognises.
func Redact(s string) string {
	if s == "" {
		return s
	}
	// Tokens go first: later patterns might otherwise cut one in two and
	// leave a part that no longer looks like a token.
	// Each pattern runs only where its telltale is: most log values (a
	// route, a status, an error about input) have none, and skip them all.
	if strings.IndexByte(s, '_') >= 0 {
		s = tokenRE.Load().ReplaceAllLiteralString(s, Redacted)
	}
	if containsFold(s, "bearer") || containsFold(s, "basic") {
		s = replaceAuth(s)
	}
	if strings.Contains(s, "://") && strings.IndexByte(s, '@') >= 0 {
		s = userinfoRE.ReplaceAllString(s, "${1}:"+Redacted+"@")
	}
	if containsFold(s, "password") {
		s = passwordRE.ReplaceAllString(s, "${1}"+Redacted)
		s = jsonPasswordRE.ReplaceAllString(s, `${1}"`+Redacted+`"`)
	}
	return s
}

func replaceAuth(s string) string {
	return authRE.ReplaceAllStringFunc(s, func(m string) string {
		sub := authRE.FindStringSubmatch(m)
		if notCredentials[strings.ToLower(sub[3])] {
			return m
		}
		return sub[1] + sub[2] + Redacted
	})
}

// containsFold reports whether s contains the lower-case ASCII word sub,
// in any case, without allocating.
func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if c := s[i]; c == sub[0] || c == sub[0]-'a'+'A' {
			if strings.EqualFold(s[i:i+len(sub)], sub) {
				return true
			}
		}
	}
	return false
}
