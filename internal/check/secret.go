package check

import (
	"maps"
	"net/http"
	"strings"
)

// SecretMarker stands for a secret of a check wherever a check is shown or
// exported: every header value but Host's, and the password (or, without
// one, the user) of the URL's userinfo. Writing the marker back keeps the
// stored value.
const SecretMarker = "(secret)"

// secretMissing is the message of a marker given where nothing is stored.
const secretMissing = "the export does not carry secrets; give the value"

// Masked returns a copy of c with each secret replaced by SecretMarker:
// what the API and exports show. The monitor and the probes get c itself.
func (c Check) Masked() Check {
	if len(c.Headers()) > 0 {
		h := make(map[string]string, len(c.Headers()))
		for k, v := range c.Headers() {
			if isSecretHeader(k) {
				v = SecretMarker
			}
			h[k] = v
		}
		c.EditHTTP().Headers = h
	}
	if before, user, _, hasPass, after, ok := splitUserinfo(c.URL); ok {
		if hasPass {
			c.URL = before + user + ":" + SecretMarker + "@" + after
		} else if user != "" {
			c.URL = before + SecretMarker + "@" + after
		}
	}
	return c
}

// KeepSecrets returns c with each SecretMarker replaced by the value stored
// in old (nil when the check is new), so that a check written back as it
// was shown keeps its secrets. A marker where old has no such secret is a
// FieldError naming the field.
func (c Check) KeepSecrets(old *Check) (Check, []FieldError) {
	var errs []FieldError
	var h map[string]string
	for k, v := range c.Headers() {
		if v != SecretMarker {
			continue
		}
		if h == nil {
			h = maps.Clone(c.Headers())
		}
		stored, ok := "", false
		if old != nil {
			stored, ok = headerOf(old.Headers(), k)
		}
		if !ok || stored == SecretMarker {
			errs = append(errs, FieldError{Field: "headers." + k, Message: secretMissing})
			continue
		}
		h[k] = stored
	}
	if h != nil {
		c.EditHTTP().Headers = h
	}
	if before, user, pass, hasPass, after, ok := splitUserinfo(c.URL); ok && (pass == SecretMarker || (!hasPass && user == SecretMarker)) {
		var oldUser, oldPass string
		var oldHasPass, found bool
		if old != nil {
			_, oldUser, oldPass, oldHasPass, _, found = splitUserinfo(old.URL)
		}
		switch {
		case hasPass && found && oldHasPass && oldPass != SecretMarker:
			c.URL = before + user + ":" + oldPass + "@" + after
		case !hasPass && found && !oldHasPass && oldUser != "" && oldUser != SecretMarker:
			c.URL = before + oldUser + "@" + after
		default:
			errs = append(errs, FieldError{Field: "url", Message: "the password in its userinfo: " + secretMissing})
		}
	}
	return c, errs
}

// HasSecretMarker reports whether c holds a SecretMarker in place of a
// secret.
func (c *Check) HasSecretMarker() bool {
	for k, v := range c.Headers() {
		if v == SecretMarker && isSecretHeader(k) {
			return true
		}
	}
	_, user, pass, hasPass, _, ok := splitUserinfo(c.URL)
	return ok && (pass == SecretMarker || (!hasPass && user == SecretMarker))
}

// isSecretHeader reports whether a header's value is a secret: all are
// but Host, which names the site.
func isSecretHeader(name string) bool { return http.CanonicalHeaderKey(name) != "Host" }

// headerOf returns the value of header name in h, whatever its case.
func headerOf(h map[string]string, name string) (string, bool) {
	if v, ok := h[name]; ok {
		return v, true
	}
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return "", false
}

// splitUserinfo cuts scheme://user[:pass]@rest into its parts, as written
// (no re-encoding, so that the rest of the URL stays byte for byte); ok is
// false when the URL has no userinfo.
func splitUserinfo(u string) (before, user, pass string, hasPass bool, after string, ok bool) {
	i := strings.Index(u, "://")
	if i < 0 {
		return "", "", "", false, "", false
	}
	authority := u[i+3:]
	if end := strings.IndexAny(authority, "/?#"); end >= 0 {
		authority = authority[:end]
	}
	at := strings.LastIndex(authority, "@")
	if at < 0 {
		return "", "", "", false, "", false
	}
	user, pass, hasPass = strings.Cut(authority[:at], ":")
	return u[:i+3], user, pass, hasPass, u[i+3+at+1:], true
}
