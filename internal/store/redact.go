package store

import (
	"regexp"
	"strings"
)

// redactedPassword is what RedactDSN writes in place of a password. It is
// plain letters so that a redacted URL still parses, and the pg_dump
// command of postgresRefusal can be copied and the password put back.
const redactedPassword = "xxxxx"

var (
	// urlPasswordParamRE matches a password query parameter of a URL; its
	// value ends at the next parameter or fragment.
	urlPasswordParamRE = regexp.MustCompile(`(?i)([?&](?:ssl)?password=)[^&#]*`)
	// kvPasswordRE matches password and sslpassword in a key/value DSN
	// (host=x password='a b'): a quoted value runs to its closing quote,
	// with \' and \\ escapes, or to the end when it has none; a bare value
	// runs to white space, with backslash escapes.
	kvPasswordRE = regexp.MustCompile(`(?i)((?:^|\s)(?:ssl)?password\s*=\s*)('(?:[^'\\]|\\.?)*'?|(?:[^\s\\]|\\.?)*)`)
)

// RedactDSN returns dsn fit for logs and messages: the password of a URL's
// userinfo, password and sslpassword query parameters, and the password
// and sslpassword of a key/value DSN are replaced by xxxxx. A "sqlite:PATH"
// DSN is returned as it is.
func RedactDSN(dsn string) string {
	if strings.HasPrefix(dsn, "sqlite:") {
		return dsn
	}
	scheme, rest, isURL := strings.Cut(dsn, "://")
	if !isURL {
		return kvPasswordRE.ReplaceAllString(dsn, "${1}"+redactedPassword)
	}
	// The userinfo ends at the last "@": a password holding an unescaped
	// "@", "/" or "?" is still redacted whole, at worst with some more.
	if at := strings.LastIndexByte(rest, '@'); at >= 0 {
		user, _, hasPassword := strings.Cut(rest[:at], ":")
		if hasPassword && !strings.ContainsAny(user, "/?#") {
			rest = user + ":" + redactedPassword + rest[at:]
		}
	}
	return scheme + "://" + urlPasswordParamRE.ReplaceAllString(rest, "${1}"+redactedPassword)
}
