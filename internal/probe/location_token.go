package probe

import "github.com/vigie/vigie/internal/secret"

// A location token reads vloc_<lookup>_<secret> (see package secret).
var locationTokens = secret.NewFormat("vloc_")

func newLocationToken() (token, lookup, hash string) { return locationTokens.New() }
func parseLocationToken(token string) (lookup, sec string, ok bool) {
	return locationTokens.Parse(token)
}
func locationSecretMatches(sec, hash string) bool { return secret.Matches(sec, hash) }
