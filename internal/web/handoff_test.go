package web

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// A link signed by the host's panel opens a session for its customer only
// and lands on its path; a replayed, stale, future-dated, tampered or
// foreign-bound link is a 403 page that opens nothing. Every attempt is
// audited.
func TestTheHostsPanelHandsACustomerOver(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newAccountEnv(t, db, true)
		now := e.clock.Now()
		sign := func(customer string, at time.Time, nonce, next string) string {
			return "/handoff?" + auth.SignHandOff(handOffSecret, customer, at, nonce, next).Encode()
		}
		good := sign("C1", now, "nonce-0000000000000001", "/account/whoami")
		b := newBrowser(t, e.base)
		resp, _ := b.get(good)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account/whoami" {
			t.Fatalf("a good link: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		if resp, body := b.get("/account/whoami"); resp.StatusCode != http.StatusOK || !strings.HasPrefix(body, "customer=C1 ") {
			t.Fatalf("the hand-off session: %d %q", resp.StatusCode, body)
		}
		sess, err := e.d.Sessions.Check(t.Context(), b.cookie(auth.SessionCookieName), e.clock.Now())
		if err != nil || sess.SubjectKind != auth.SubjectCustomer || sess.AuthLevel != auth.LevelHandOff {
			t.Fatalf("the session: %+v %v", sess, err)
		}
		if resp, _ := newBrowser(t, e.base).get(sign("C2", now, "nonce-0000000000000009", "")); resp.Header.Get("Location") != "/account" {
			t.Errorf("a link without next lands on %q, want /account", resp.Header.Get("Location"))
		}

		tampered := strings.Replace(sign("C1", now, "nonce-0000000000000003", ""), "customer=C1", "customer=C2", 1)
		refused := map[string]string{
			"replayed":         good,
			"stale":            sign("C1", now.Add(-2*time.Minute-time.Second), "nonce-0000000000000002", ""),
			"from the future":  sign("C1", now.Add(31*time.Second), "nonce-0000000000000004", ""),
			"tampered":         tampered,
			"next changed":     strings.Replace(sign("C1", now, "nonce-0000000000000010", "/account"), "next=%2Faccount", "next=%2Faccount%2Fpreferences", 1),
			"another's secret": "/handoff?" + auth.SignHandOff([]byte(strings.Repeat("x", 40)), "C1", now, "nonce-0000000000000005", "").Encode(),
			"to another site":  sign("C1", now, "nonce-0000000000000006", "//evil.example/"),
			"unknown customer": sign("C9", now, "nonce-0000000000000007", ""),
			"no signature":     "/handoff?customer=C1&ts=1&nonce=nonce-0000000000000008",
		}
		for name, link := range refused {
			b := newBrowser(t, e.base)
			resp, body := b.get(link + "&lang=en")
			if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "This access link is not valid") ||
				b.cookie(auth.SessionCookieName) != "" {
				t.Errorf("%s: %d, session cookie %q\n%s", name, resp.StatusCode, b.cookie(auth.SessionCookieName), body)
			}
		}
		lines := strings.Join(e.auditLines(), "\n")
		for _, want := range []string{"customer:C1 | hand-off |  | ok", "customer:C1 | hand-off |  | refused | 127.0.0.1 | hand-off link refused: used before (a replay)",
			"hand-off link refused: signature does not match", "customer:C9 | hand-off |  | refused"} {
			if !strings.Contains(lines, want) {
				t.Errorf("no audit line %q:\n%s", want, lines)
			}
		}
	})
}

// Without a configured secret, /handoff does not exist.
func TestWithoutASecretThereIsNoHandOff(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newAccountEnv(t, db, false)
		link := "/handoff?" + auth.SignHandOff(handOffSecret, "C1", e.clock.Now(), "nonce-0000000000000001", "").Encode()
		b := newBrowser(t, e.base)
		if resp, _ := b.get(link); resp.StatusCode != http.StatusNotFound || b.cookie(auth.SessionCookieName) != "" {
			t.Fatalf("a hand-off without a secret: %d", resp.StatusCode)
		}
	})
}
