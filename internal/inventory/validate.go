package inventory

import (
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // time zones must be checked the same way on every machine
	"unicode"
	"unicode/utf8"
)

// Limits on field lengths, in characters.
const (
	maxIDLen         = 64
	maxAssetNameLen  = 200
	maxKindLen       = 32
	maxLabelKeyLen   = 63
	maxLabelValueLen = 200
)

// noItem marks a field error that concerns the whole field rather than one
// depends_on item.
const noItem = -1

// reportFunc receives the field errors of an entry; item is the index of the
// depends_on item concerned, or noItem.
type reportFunc func(f Field, item int, msg string)

// ValidateCustomer applies defaults (language "fr", timezone "Europe/Paris"
// when empty; trims spaces) and checks every field.
func ValidateCustomer(c *Customer) []FieldError {
	var errs []FieldError
	validateCustomer(c, func(f Field, _ int, msg string) {
		errs = append(errs, FieldError{Field: f, Message: msg})
	})
	return errs
}

// ValidateAsset trims the asset's fields and checks every field; it neither
// sorts nor removes anything, so a repeated depends_on entry is an error.
func ValidateAsset(a *Asset) []FieldError {
	var errs []FieldError
	validateAsset(a, func(f Field, _ int, msg string) {
		errs = append(errs, FieldError{Field: f, Message: msg})
	})
	return errs
}

func validateCustomer(c *Customer, report reportFunc) {
	c.ID = strings.TrimSpace(c.ID)
	c.Name = strings.TrimSpace(c.Name)
	c.Email = strings.TrimSpace(c.Email)
	c.Language = strings.TrimSpace(c.Language)
	c.Timezone = strings.TrimSpace(c.Timezone)
	if c.Language == "" {
		c.Language = DefaultLanguage
	}
	if c.Timezone == "" {
		c.Timezone = DefaultTimezone
	}

	if msg := checkID(c.ID, true); msg != "" {
		report(FieldID, noItem, msg)
	}
	switch {
	case c.Name == "":
		report(FieldName, noItem, "required")
	case strings.IndexFunc(c.Name, unicode.IsControl) >= 0:
		report(FieldName, noItem, "must not contain control characters")
	}
	if msg := checkEmail(c.Email); msg != "" {
		report(FieldEmail, noItem, msg)
	}
	if !slices.Contains(Languages, c.Language) {
		report(FieldLanguage, noItem, fmt.Sprintf("must be %s, got %q", strings.Join(Languages, " or "), c.Language))
	}
	if !validTimezone(c.Timezone) {
		report(FieldTimezone, noItem, fmt.Sprintf("unknown time zone %q", c.Timezone))
	}
}

func validateAsset(a *Asset, report reportFunc) {
	a.Name = strings.TrimSpace(a.Name)
	a.Kind = strings.TrimSpace(a.Kind)
	a.Owner = strings.TrimSpace(a.Owner)
	a.URL = strings.TrimSpace(a.URL)
	a.Address = strings.TrimSpace(a.Address)
	for i, d := range a.DependsOn {
		a.DependsOn[i] = strings.TrimSpace(d)
	}

	if msg := checkAssetName(a.Name); msg != "" {
		report(FieldName, noItem, msg)
	}
	if msg := checkKind(a.Kind); msg != "" {
		report(FieldKind, noItem, msg)
	}
	if a.Owner != "" {
		if msg := checkID(a.Owner, false); msg != "" {
			report(FieldOwner, noItem, msg)
		}
	}
	checkDependsOn(a, report)
	if a.URL != "" {
		if msg := checkURL(a.URL); msg != "" {
			report(FieldURL, noItem, msg)
		}
	}
	if a.Address != "" {
		if msg := checkAddress(a.Address); msg != "" {
			report(FieldAddress, noItem, msg)
		}
	}
	checkLabels(a.Labels, report)
}

// checkID checks a customer id, as an id or as an asset's owner.
func checkID(id string, required bool) string {
	switch {
	case id == "":
		if required {
			return "required"
		}
	case strings.IndexFunc(id, unicode.IsSpace) >= 0:
		return fmt.Sprintf("must not contain white space, got %q", id)
	case strings.IndexFunc(id, unicode.IsControl) >= 0:
		return fmt.Sprintf("must not contain control characters, got %q", id)
	case utf8.RuneCountInString(id) > maxIDLen:
		return fmt.Sprintf("must be at most %d characters", maxIDLen)
	}
	return ""
}

func checkEmail(email string) string {
	if email == "" {
		return "required"
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || addr.Name != "" {
		return fmt.Sprintf("invalid address %q", email)
	}
	return ""
}

// validZones caches the time zone names already found valid: loading a zone
// parses its data, too slow to repeat for every customer of a large import.
var validZones sync.Map

func validTimezone(name string) bool {
	if name == "" || name == "Local" {
		return false
	}
	if _, ok := validZones.Load(name); ok {
		return true
	}
	if _, err := time.LoadLocation(name); err != nil {
		return false
	}
	validZones.Store(name, struct{}{})
	return true
}

// assetNameByte reports whether c may appear in an asset name.
func assetNameByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '.' || c == '_' || c == ':' || c == '@' || c == '/' || c == '-'
}

func checkAssetName(name string) string {
	if name == "" {
		return "required"
	}
	for i := 0; i < len(name); i++ {
		if !assetNameByte(name[i]) {
			r, _ := utf8.DecodeRuneInString(name[i:])
			return fmt.Sprintf("invalid character %q in %q: use letters, digits and . _ : @ / -", r, name)
		}
	}
	if len(name) > maxAssetNameLen {
		return fmt.Sprintf("must be at most %d characters", maxAssetNameLen)
	}
	return ""
}

func checkKind(kind string) string {
	if kind == "" {
		return "required"
	}
	ok := len(kind) <= maxKindLen && 'a' <= kind[0] && kind[0] <= 'z'
	for i := 1; ok && i < len(kind); i++ {
		c := kind[i]
		ok = 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '-'
	}
	if !ok {
		return fmt.Sprintf("want a lower-case word of letters, digits, _ and - (at most %d characters), got %q", maxKindLen, kind)
	}
	return ""
}

func checkDependsOn(a *Asset, report reportFunc) {
	deps := a.DependsOn
	var seen map[string]struct{}
	if len(deps) > 8 {
		seen = make(map[string]struct{}, len(deps))
	}
	for i, d := range deps {
		switch d {
		case "":
			report(FieldDependsOn, i, "empty asset name")
			continue
		case a.Name:
			report(FieldDependsOn, i, fmt.Sprintf("%q depends on itself", d))
		}
		dup := false
		if seen != nil {
			_, dup = seen[d]
			seen[d] = struct{}{}
		} else {
			dup = slices.Contains(deps[:i], d)
		}
		if dup {
			report(FieldDependsOn, i, fmt.Sprintf("duplicate entry %q", d))
		}
	}
}

func checkURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return fmt.Sprintf("want an absolute http or https URL, got %q", raw)
	}
	return ""
}

func checkAddress(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host == "" {
		return fmt.Sprintf("want host:port, got %q", addr)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return fmt.Sprintf("port must be a number from 1 to 65535, got %q", port)
	}
	return ""
}

func validLabelKey(k string) bool {
	if k == "" || len(k) > maxLabelKeyLen {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		ok := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		if i > 0 {
			ok = ok || c == '_' || c == '.' || c == '/' || c == '-'
		}
		if !ok {
			return false
		}
	}
	return true
}

func checkLabels(labels map[string]string, report reportFunc) {
	if len(labels) == 0 {
		return
	}
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !validLabelKey(k) {
			report(FieldLabels, noItem, fmt.Sprintf("invalid key %q: use letters, digits and _ . / - (at most %d characters)", k, maxLabelKeyLen))
		}
		if v := labels[k]; utf8.RuneCountInString(v) > maxLabelValueLen {
			report(FieldLabels, noItem, fmt.Sprintf("value of %q is longer than %d characters", k, maxLabelValueLen))
		}
	}
}
