package heartbeat

import "github.com/vigie/vigie/internal/secret"

// A token reads hb_<lookup>_<secret> (see package secret). The token sits in
// the URL a job calls, so it is the credential: no header is needed.
var tokens = secret.NewFormat("hb_")

func newToken() (token, lookup, hash string)                { return tokens.New() }
func parseToken(token string) (lookup, sec string, ok bool) { return tokens.Parse(token) }
func secretMatches(sec, hash string) bool                   { return secret.Matches(sec, hash) }
