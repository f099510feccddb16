package web

import (
	"context"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/i18n"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/notify"
	"github.com/vigie/vigie/internal/probe"
	"github.com/vigie/vigie/internal/settings"
	"github.com/vigie/vigie/internal/store"
)

// configHost is the inventory of the configuration pages' tests: two
// hypervisors, a storage unit, a VM and two sites.
const configHost = `customers:
  - {id: C1, name: One, email: one@example.org}
assets:
  - {name: hv1, kind: hypervisor, address: "192.0.2.1:22"}
  - {name: hv2, kind: hypervisor, address: "192.0.2.2:22"}
  - {name: st1, kind: storage, address: "192.0.2.3:22"}
  - {name: vm1, kind: vm, depends_on: [hv1, st1], address: "192.0.2.10:22"}
  - {name: site-a, kind: site, owner: C1, depends_on: [vm1], url: "https://a.example.org/", labels: {pool: shared}}
  - {name: site-b, kind: site, owner: C1, depends_on: [vm1], url: "https://b.example.org/"}
`

// newConfigSite serves the web layer over db with the services of the
// configuration pages: channels with a real webhook sender and test
// messages sent through it, compliance and settings; the clock is the
// test's, as in newStaffSite.
func newConfigSite(t *testing.T, db *store.DB) *staffSite {
	t.Helper()
	now := time.Now().UTC().Add(time.Hour).Truncate(time.Second)
	clock := fixedClock(&now)
	sessions := auth.NewSessions(db)
	sessions.Now = clock
	texts, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	senders := map[notify.Kind]notify.Sender{notify.KindWebhook: notify.NewWebhookSender(nil, nil)}
	st := notify.NewStore(db)
	st.Validators = notify.ValidatorsOf(senders)
	renderer, err := notify.NewRenderer(texts, notify.RenderOptions{PublicName: "Hébergeur Test", PublicURL: "https://status.example.org"})
	if err != nil {
		t.Fatal(err)
	}
	inv := inventory.NewService(db, nil)
	set, err := settings.New(db, settings.Values{Settle: 45 * time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	set.Now = clock
	d := sessionDeps(t, db, Deps{Now: clock, Sessions: sessions, PublicName: "Hébergeur Test", Texts: texts, Inventory: inv,
		Notify: st, Compliance: probe.NewCompliance(db, inv), Settings: set,
		NotifyTest: func(ctx context.Context, id string, to notify.Recipient) error {
			return st.SendTest(ctx, senders, renderer.Render, "status.example.org", id, to, nil)
		}}, configHost)
	return &staffSite{d: d, base: serveSessions(t, d, nil), now: &now}
}

// signedIn returns a browser signed in (password and TOTP) as a new staff
// member of role.
func (s *staffSite) signedIn(t *testing.T, email string, role auth.Role) *browser {
	t.Helper()
	u := s.addStaff(t, email, role)
	s.enrol(t, email)
	b := newBrowser(t, s.base)
	b.signIn(s.d.Sessions, auth.SubjectStaff, auth.StaffSubject(u.ID), auth.LevelPasswordTOTP)
	return b
}
