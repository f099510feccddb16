package httpguard

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// HeaderOptions configures SecurityHeaders.
type HeaderOptions struct {
	// FrameAncestors lists the origins ("https://intranet.example.org")
	// allowed to show Vigie's pages in a frame. Empty, the default, lets no
	// page be framed. Check validates them; SecurityHeaders skips the ones
	// Check refuses.
	FrameAncestors []string
}

// Check reports the first frame ancestor that is not a plain origin:
// scheme, host and optional port, nothing else.
func (o HeaderOptions) Check() error {
	for _, origin := range o.FrameAncestors {
		if err := checkOrigin(origin); err != nil {
			return fmt.Errorf("frame ancestor %q: %w", origin, err)
		}
	}
	return nil
}

func checkOrigin(origin string) error {
	// A quote, space, comma or semicolon would end the directive and let
	// the entry write a policy of its own.
	if strings.ContainsAny(origin, " \t\r\n;,'\"") {
		return fmt.Errorf("want an origin such as https://intranet.example.org")
	}
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
		u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("want an origin such as https://intranet.example.org")
	}
	return nil
}

// HSTS is the Strict-Transport-Security value sent over TLS: two years.
const HSTS = "max-age=63072000"

// SecurityHeaders sets on every response, before next writes it:
//
//   - X-Content-Type-Options: nosniff, so that an upload or a text
//     response is never run as a script or a page;
//   - Referrer-Policy: strict-origin-when-cross-origin, so that links to
//     other sites (runbooks, asset pages) carry the origin only, never a
//     path or query that may name a customer or hold a heartbeat token.
//     no-referrer would also blank the Origin header of Vigie's own form
//     posts, which cross-origin request checks rely on;
//   - Content-Security-Policy: frame-ancestors 'none' and X-Frame-Options:
//     DENY, against clickjacking; with FrameAncestors the policy names
//     those origins instead and X-Frame-Options, which cannot list
//     origins, is left out;
//   - Strict-Transport-Security, only when the request came over TLS to
//     this server: a reverse proxy that terminates TLS sends its own.
func SecurityHeaders(next http.Handler, opts HeaderOptions) http.Handler {
	var ancestors []string
	for _, origin := range opts.FrameAncestors {
		if checkOrigin(origin) == nil {
			ancestors = append(ancestors, strings.TrimSuffix(origin, "/"))
		}
	}
	csp := "frame-ancestors 'none'"
	if len(ancestors) > 0 {
		csp = "frame-ancestors " + strings.Join(ancestors, " ")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("Content-Security-Policy", csp)
		if len(ancestors) == 0 {
			h.Set("X-Frame-Options", "DENY")
		}
		if r.TLS != nil {
			h.Set("Strict-Transport-Security", HSTS)
		}
		next.ServeHTTP(w, r)
	})
}
