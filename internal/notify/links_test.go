package notify

import (
	"context"

	"errors"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
	"strings"
	"testing"
	"time"
)

func TestLinksRoundTripAndRefuseForgeries(t *testing.T) {
	l := NewLinks([]byte("0123456789abcdef0123456789abcdef"))
	o := OptOut{Customer: "C00042", Channel: "email", Topic: "incident"}
	tok := l.OptOutToken(o)
	got, err := l.ReadOptOut(tok)
	if err != nil || got != o {
		t.Fatalf("ReadOptOut = %+v, %v; want %+v", got, err, o)
	}
	other := NewLinks([]byte("another key, another server......"))
	if _, err := other.ReadOptOut(tok); !errors.Is(err, ErrBadLink) {
		t.Errorf("a link signed under another key was read: %v", err)
	}
	// Changing the customer in the payload keeps the old signature.
	payload, sig, _ := strings.Cut(tok, ".")
	forged := strings.Replace(payload, payload[:4], "XXXX", 1) + "." + sig
	if _, err := l.ReadOptOut(forged); !errors.Is(err, ErrBadLink) {
		t.Errorf("a changed payload was read: %v", err)
	}
	// An acknowledgement link is not an opt-out link.
	now := time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)
	ack := l.AckToken(Ack{Incident: 12, Staff: "ops@example.org", Expires: now.Add(time.Hour)})
	if _, err := l.ReadOptOut(ack); !errors.Is(err, ErrBadLink) {
		t.Errorf("an acknowledgement link was read as an opt-out: %v", err)
	}
	a, err := l.ReadAck(ack, now)
	if err != nil || a.Incident != 12 || a.Staff != "ops@example.org" {
		t.Fatalf("ReadAck = %+v, %v", a, err)
	}
	if _, err := l.ReadAck(ack, now.Add(2*time.Hour)); !errors.Is(err, ErrBadLink) {
		t.Errorf("an expired acknowledgement link was read: %v", err)
	}
}

func FuzzReadLinks(f *testing.F) {
	l := NewLinks([]byte("0123456789abcdef0123456789abcdef"))
	f.Add(l.OptOutToken(OptOut{Customer: "C1", Channel: "*", Topic: "*"}))
	f.Add(l.AckToken(Ack{Incident: 1, Staff: "a@b", Expires: time.Unix(2e9, 0)}))
	f.Add("a.b")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		if o, err := l.ReadOptOut(s); err == nil && l.OptOutToken(o) != s {
			t.Errorf("%q read as %+v, which signs differently", s, o)
		}
		_, _ = l.ReadAck(s, time.Unix(1e9, 0))
	})
}

// The key is made once and read back by every later start (and replica).
func TestTheLinksKeyIsMadeOnceAndKept(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		first, err := LoadLinks(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		again, err := LoadLinks(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		tok := first.OptOutToken(OptOut{Customer: "C1", Channel: "email", Topic: "incident"})
		if _, err := again.ReadOptOut(tok); err != nil {
			t.Errorf("a link signed before a restart is refused after it: %v", err)
		}
	})
}
