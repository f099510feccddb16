package status

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// absolute returns the absolute URL of a path relative to the page's base.
func (p *Page) absolute(path string) string {
	return strings.TrimSuffix(p.URL, "/") + p.Base() + path
}

// host returns the host of the page's URL, which names its feed entries
// and calendar events.
func (p *Page) host() (string, error) {
	u, err := url.Parse(p.URL)
	if err != nil {
		return "", fmt.Errorf("page url %q: %w", p.URL, err)
	}
	if u.Hostname() == "" {
		return "", fmt.Errorf("page url %q: no host", p.URL)
	}
	return u.Hostname(), nil
}

// zone returns the page's zone, UTC when it has none.
func (p *Page) zone() *time.Location {
	if p.Zone == nil {
		return time.UTC
	}
	return p.Zone
}
