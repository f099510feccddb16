package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// webTimeout bounds one delivery when the caller gives no client.
const webTimeout = 10 * time.Second

// webMaxBody caps what is read of an answer: senders need an id, not a page.
const webMaxBody = 1 << 20

// webMaxRetryAfter caps a peer's Retry-After, so that a silly value cannot
// park a message for years (or overflow a Duration).
const webMaxRetryAfter = 24 * time.Hour

// webUserAgent names Vigie to the peers.
const webUserAgent = "Vigie"

// RetryAfterError is a temporary refusal (HTTP 429) that says when to try
// again; the outbox waits at least After before the next attempt.
type RetryAfterError struct {
	After time.Duration
	Err   error
}

// Error returns the refusal and the delay.
func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("%v (retry after %s)", e.Err, e.After)
}

// Unwrap returns the refusal.
func (e *RetryAfterError) Unwrap() error { return e.Err }

// RetryAfter returns After: the outbox reads the delay through this method.
func (e *RetryAfterError) RetryAfter() time.Duration { return e.After }

// webPoster is the HTTP helper every web sender shares: it posts a JSON
// body and sorts the outcome into success, retry and Permanent, with error
// messages that name the channel and the host and nothing else of the URL.
type webPoster struct {
	client *http.Client
	now    func() time.Time
}

// newWebPoster returns a poster on client (nil: one with a 10 s timeout).
// Redirects to another host, or from https to http, are never followed:
// they would carry the API key headers, or the body, somewhere else.
func newWebPoster(client *http.Client, now func() time.Time) webPoster {
	if client == nil {
		client = &http.Client{Timeout: webTimeout}
	} else {
		c := *client // the caller's client is left as it is
		client = &c
	}
	if client.CheckRedirect == nil {
		client.CheckRedirect = webSameHostRedirect
	}
	if now == nil {
		now = time.Now
	}
	return webPoster{client: client, now: now}
}

func webSameHostRedirect(req *http.Request, via []*http.Request) error {
	first := via[0].URL
	if len(via) >= 10 || req.URL.Host != first.Host || first.Scheme == "https" && req.URL.Scheme != "https" {
		return http.ErrUseLastResponse // answered as a refusal, see post
	}
	return nil
}

// webCall is one request of a sender.
type webCall struct {
	channel string // the channel id, named in errors
	method  string // POST when empty
	url     string
	header  http.Header
	body    []byte
	// secrets are never quoted back in an error, even if the peer echoes
	// them in its answer.
	secrets []string
}

// post sends c and returns the answer's body when the status is 2xx.
// Network errors, timeouts, 408 and 5xx are plain (retried) errors, 429 a
// *RetryAfterError when the peer says when, other answers Permanent.
func (p webPoster) post(ctx context.Context, c webCall) ([]byte, error) {
	u, err := url.Parse(c.url)
	if err != nil || u.Host == "" {
		// url.Parse's error quotes the URL, which may be the secret.
		return nil, Permanent(fmt.Errorf("channel %s: invalid URL", c.channel))
	}
	method := c.method
	if method == "" {
		method = http.MethodPost
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(c.body))
	if err != nil {
		return nil, Permanent(fmt.Errorf("channel %s: build request for %s: %w", c.channel, u.Host, webScrubbed(err, c.secrets)))
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	if c.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("User-Agent", webUserAgent)
	resp, err := p.client.Do(req)
	if err != nil {
		// *url.Error quotes the whole URL: keep only what went wrong.
		if ue := (*url.Error)(nil); errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("channel %s: post to %s: %w", c.channel, u.Host, webScrubbed(err, c.secrets))
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, webMaxBody))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if err != nil {
			return nil, fmt.Errorf("channel %s: read answer of %s: %w", c.channel, u.Host, webScrubbed(err, c.secrets))
		}
		return body, nil
	}
	return nil, p.refusal(c, u.Host, resp, body)
}

// webStatusError is a peer's answer that was not 2xx.
type webStatusError struct {
	code int
	msg  string
}

func (e *webStatusError) Error() string { return e.msg }

// webStatus returns the HTTP status a peer refused with, or 0.
func webStatus(err error) int {
	var s *webStatusError
	if errors.As(err, &s) {
		return s.code
	}
	return 0
}

// refusal turns a non-2xx answer into the error of its class.
func (p webPoster) refusal(c webCall, host string, resp *http.Response, body []byte) error {
	code := resp.StatusCode
	what := webRefusalDetail(body, c.secrets)
	if code >= 300 && code < 400 {
		what = "redirect not followed"
	}
	err := error(&webStatusError{code: code, msg: fmt.Sprintf("channel %s: %s answered %d %s", c.channel, host, code, http.StatusText(code))})
	if what != "" {
		err = fmt.Errorf("%w: %s", err, what)
	}
	switch {
	case code == http.StatusTooManyRequests:
		if d, ok := webRetryAfter(resp.Header.Get("Retry-After"), p.now()); ok {
			return &RetryAfterError{After: d, Err: err}
		}
		return err
	case code == http.StatusRequestTimeout || code >= 500:
		return err
	default:
		return Permanent(err)
	}
}

// webRetryAfter reads a Retry-After header: seconds or an HTTP date.
func webRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseUint(v, 10, 64); err == nil {
		if n > uint64(webMaxRetryAfter/time.Second) {
			return webMaxRetryAfter, true
		}
		return time.Duration(n) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return min(max(t.Sub(now), 0), webMaxRetryAfter), true
}

// webRefusalDetail is what an error quotes of a refusal: the peer's own
// error messages when its JSON has some (Discourse's "errors", Mastodon's
// "error", Discord's "message"), else a short excerpt of the body; secrets
// are blanked out first.
func webRefusalDetail(body []byte, secrets []string) string {
	var j struct {
		Errors  []string `json:"errors"`
		Error   string   `json:"error"`
		Message string   `json:"message"`
	}
	text := string(body)
	if json.Unmarshal(body, &j) == nil {
		switch {
		case len(j.Errors) > 0:
			text = strings.Join(j.Errors, "; ")
		case j.Error != "":
			text = j.Error
		case j.Message != "":
			text = j.Message
		}
	}
	return webExcerpt(webScrub(text, secrets), 200)
}

// webExcerpt returns s on one line, without control characters, cut to at
// most n bytes at a rune boundary.
func webExcerpt(s string, n int) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}), " ")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// webScrub blanks out every secret found in s.
func webScrub(s string, secrets []string) string {
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "[secret]")
		}
	}
	return s
}

// webURLSecrets lists what must be blanked out of errors when a URL is a
// secret (a chat webhook): the URL, its path, and its long path segments,
// which are the tokens, in case a peer quotes only those.
func webURLSecrets(raw string) []string {
	secrets := []string{raw}
	u, err := url.Parse(raw)
	if err != nil {
		return secrets
	}
	for _, part := range append([]string{u.EscapedPath(), u.Path}, strings.Split(u.Path, "/")...) {
		if len(part) >= 16 { // short parts ("/", "api") would blank out words
			secrets = append(secrets, part)
		}
	}
	return secrets
}

// webScrubbedError keeps an error for errors.Is and errors.As while its
// text has the secrets blanked out.
type webScrubbedError struct {
	msg string
	err error
}

func (e webScrubbedError) Error() string { return e.msg }
func (e webScrubbedError) Unwrap() error { return e.err }

func webScrubbed(err error, secrets []string) error {
	return webScrubbedError{msg: webScrub(err.Error(), secrets), err: err}
}

// webURLSetting checks a URL setting named key. With secure, it must be
// https, or http on a loopback host (a test peer, a local relay), because
// it carries a secret. The URL itself is never quoted: it may be one.
func webURLSetting(key, raw string, secure bool) (*url.URL, error) {
	if raw == "" {
		return nil, fmt.Errorf("%s: required", key)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%s: must be an http or https URL", key)
	}
	if secure && u.Scheme != "https" && !webLoopback(u.Hostname()) {
		return nil, fmt.Errorf("%s: must be an https URL (http only on loopback)", key)
	}
	return u, nil
}

func webLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
