package support_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/i18n"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/notify"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/support"
)

// host has Alice (French, two sites on web-01, on hv01), Bob (English,
// one site on web-02, also on hv01) and Carla (one site on web-03, on
// hv02).
const host = `customers:
  - {id: C1, name: Alice Ateliers, email: alice@example.org, language: fr, timezone: Europe/Paris}
  - {id: C2, name: Bob Bakery, email: bob@example.org, language: en, timezone: America/Montreal}
  - {id: C3, name: Carla Cartes, email: carla@example.org}
assets:
  - {name: dc1, kind: datacenter}
  - {name: hv01, kind: hypervisor, depends_on: [dc1]}
  - {name: hv02, kind: hypervisor, depends_on: [dc1]}
  - {name: web-01, kind: vm, depends_on: [hv01]}
  - {name: web-02, kind: vm, depends_on: [hv01]}
  - {name: web-03, kind: vm, depends_on: [hv02]}
  - {name: alice-blog, kind: site, owner: C1, depends_on: [web-01]}
  - {name: alice-shop, kind: site, owner: C1, depends_on: [web-01]}
  - {name: bob-bakery, kind: site, owner: C2, depends_on: [web-02]}
  - {name: carla-cards, kind: site, owner: C3, depends_on: [web-03]}
`

// fixture is a support store over a migrated database with the host
// imported, a contact per customer, staff users and a clock.
type fixture struct {
	db    *store.DB
	st    *support.Store
	inc   *incident.Store
	maint *incident.MaintenanceStore
	inv   *inventory.Service
	auth  *auth.Service
	mail  *mailbox
	dir   string
	now   time.Time
}

func (f *fixture) clock() time.Time { return f.now }

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{db: db, dir: t.TempDir() + "/attachments", now: time.Date(2026, 12, 7, 1, 50, 0, 0, time.UTC), mail: newMailbox(t, db)}
	f.inv = inventory.NewService(db, nil)
	if _, err := f.inv.ImportFiles(ctx, []inventory.File{{Name: "host.yaml", Data: []byte(host)}}, inventory.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := f.inv.LoadGraph(ctx); err != nil {
		t.Fatal(err)
	}
	f.auth = auth.NewService(db)
	for _, u := range []struct {
		email string
		role  auth.Role
	}{{"ana@host.example", auth.RoleStaff}, {"ben@host.example", auth.RoleAdmin}, {"vic@host.example", auth.RoleViewer}} {
		if _, err := f.auth.AddUser(ctx, u.email, u.role, "a long enough password"); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []auth.Contact{
		{Customer: "C1", Email: "alice@example.org", Name: "Alice", Lang: "fr", Zone: "Europe/Paris"},
		{Customer: "C1", Email: "albert@example.org", Name: "Albert", Lang: "en", Zone: "Europe/Paris"},
		{Customer: "C2", Email: "bob@example.org", Name: "Bob", Lang: "en", Zone: "America/Montreal"},
	} {
		if _, err := f.auth.AddContact(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	texts, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	f.inc = incident.NewStore(db)
	f.inc.SetOutbox(support.NewTriggers(db))
	f.maint = incident.NewMaintenanceStore(db)
	f.st = support.NewStore(db, support.Options{Incidents: f.inc, Maintenance: f.maint, Inventory: f.inv, Auth: f.auth,
		Mailer: f.mail.st, Texts: texts, Attachments: f.dir, PublicURL: "https://vigie.example.org/", Now: f.clock})
	return f
}

// The actors of the tests.
var (
	alice  = support.Actor{Kind: support.ByCustomer, ID: "alice@example.org", Name: "Alice"}
	albert = support.Actor{Kind: support.ByCustomer, ID: "albert@example.org", Name: "Albert"}
	bob    = support.Actor{Kind: support.ByCustomer, ID: "bob@example.org", Name: "Bob"}
	ana    = support.Actor{Kind: support.ByStaff, ID: "ana@host.example"}
)

// open opens a ticket of customer c on asset, failing the test on error.
func (f *fixture) open(t *testing.T, c string, by support.Actor, asset, subject string, files ...support.Upload) support.Ticket {
	t.Helper()
	th, err := f.st.Open(context.Background(), support.NewTicket{Customer: c, Asset: asset, Subject: subject,
		Body: "It does not answer since " + f.now.Format("15:04"), Files: files, By: by})
	if err != nil {
		t.Fatal(err)
	}
	return th.Ticket
}

// incidentOn opens an incident by hand on root at the fixture's time:
// settled at once, as staff's are.
func (f *fixture) incidentOn(t *testing.T, root string) incident.Incident {
	t.Helper()
	inc, err := incident.OpenManual(context.Background(), f.inc, f.inv.Graph(), []string{root}, "", "", "ana", f.now)
	if err != nil {
		t.Fatal(err)
	}
	return inc
}

// follow runs the follower until no trigger is pending.
func (f *fixture) follow(t *testing.T) {
	t.Helper()
	for range 100 {
		n, err := f.st.Follow(context.Background(), 10)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
	t.Fatal("the follower never caught up")
}

// invalidField returns the field of a *support.InvalidError, or fails.
func invalidField(t *testing.T, err error) string {
	t.Helper()
	var ie *support.InvalidError
	if !errors.As(err, &ie) {
		t.Fatalf("error %v, want an *InvalidError", err)
	}
	return ie.Field
}

// mailbox is the notifications' outbox, with an e-mail channel for
// customers and staff: what support queues lands in its table.
type mailbox struct {
	t  *testing.T
	st *notify.Store
}

func newMailbox(t *testing.T, db *store.DB) *mailbox {
	t.Helper()
	st := notify.NewStore(db)
	ch := notify.Channel{ID: "mail", Kind: notify.KindEmail, Audiences: []notify.Audience{notify.AudienceCustomers, notify.AudienceStaff},
		Enabled: true, Config: map[string]string{"host": "smtp.example.org", "from": "support@example.org"}}
	if err := st.AddChannel(context.Background(), &ch); err != nil {
		t.Fatal(err)
	}
	return &mailbox{t: t, st: st}
}

// mailed is one mail queued.
type mailed struct {
	To      notify.Recipient
	Key     string
	Subject notify.Text
	Body    notify.Text
	Link    string
}

// list returns the mails queued, oldest first.
func (m *mailbox) list() []mailed {
	m.t.Helper()
	msgs, err := m.st.Messages(context.Background(), notify.ListFilter{Limit: 1000})
	if err != nil {
		m.t.Fatal(err)
	}
	out := make([]mailed, 0, len(msgs))
	for _, msg := range msgs {
		it := msg.Items[0]
		out = append(out, mailed{msg.Recipient, msg.Key, it.Title, it.Body, it.Link})
	}
	return out
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
