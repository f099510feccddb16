package notify

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

func addMail(t *testing.T, st *Store, id string, enabled bool, audiences ...Audience) {
	t.Helper()
	ch := Channel{ID: id, Kind: KindEmail, Audiences: audiences, Enabled: enabled,
		Config: map[string]string{"host": "smtp.example.org", "from": "status@example.org"}}
	if err := st.AddChannel(context.Background(), &ch); err != nil {
		t.Fatal(err)
	}
}

func enqueueDirect(st *Store, a Audience, to Recipient, d Direct) (int64, error) {
	var id int64
	err := st.db.InTx(context.Background(), func(tx *sql.Tx) error {
		var err error
		id, err = st.EnqueueDirect(context.Background(), tx, a, to, d)
		return err
	})
	return id, err
}

// A direct mail goes on the enabled e-mail channel of its audience, at
// once, once per key, and is never merged with an incident's message nor
// takes one in.
func TestEnqueueDirect(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		st, _ := newTestStore(t, db)
		to := Recipient{Kind: "contact", ID: "ana@client.example", Address: "ana@client.example", Lang: "fr", Zone: "Europe/Paris"}
		d := Direct{Key: "invite-1", Subject: Text{FR: "Votre accès", EN: "Your access"}, Body: Text{FR: "Bonjour", EN: "Hello"},
			Link: "https://status.example.net/account/link/x", LinkLabel: Text{FR: "Choisir un mot de passe", EN: "Choose a password"}}
		if _, err := enqueueDirect(st, AudienceCustomers, to, d); !errors.Is(err, ErrNoMailChannel) {
			t.Fatalf("no channel: got %v, want ErrNoMailChannel", err)
		}
		addMail(t, st, "a-off", false, AudienceCustomers)
		addMail(t, st, "b-staff", true, AudienceStaff)
		addMail(t, st, "c-customers", true, AudienceCustomers)
		id, err := enqueueDirect(st, AudienceCustomers, to, d)
		if err != nil {
			t.Fatal(err)
		}
		again, err := enqueueDirect(st, AudienceCustomers, to, d)
		if err != nil || again != id {
			t.Fatalf("same key again: id %d, %v; want %d", again, err, id)
		}
		m := get(t, st, id)
		if m.Channel != "c-customers" || m.Topic != TopicDirect || !m.NotBefore.Equal(t0) || m.Recipient.Address != to.Address {
			t.Fatalf("queued %+v", m)
		}
		// An incident message to the same recipient id queues apart.
		inc := msg("inc-1", "c-customers", to.ID, item(7, "opened", t0))
		if iid, merged := enqueue(t, st, inc, 5*time.Minute); merged || iid == id {
			t.Fatalf("incident message merged into the direct mail (id %d, merged %v)", iid, merged)
		}
		if got := get(t, st, id); len(got.Items) != 1 {
			t.Fatalf("direct mail took items: %+v", got.Items)
		}
		if _, err := enqueueDirect(st, AudienceCustomers, Recipient{ID: "x"}, d); err == nil {
			t.Fatal("a recipient without address was queued")
		}
	})
}

// A direct mail renders its subject, body and link in the recipient's
// language, without an unsubscribe link.
func TestRenderDirect(t *testing.T) {
	r := testRenderer(t)
	for _, c := range []struct{ lang, subject, body, label string }{
		{"fr", "Votre accès", "Bonjour", "Choisir un mot de passe"},
		{"en", "Your access", "Hello", "Choose a password"},
	} {
		m := &Message{Key: "k", Recipient: Recipient{Kind: "contact", ID: "a@b.example", Address: "a@b.example", Lang: c.lang},
			Topic: TopicDirect, Items: []Item{{Topic: TopicDirect, Event: "direct", At: t0,
				Title: Text{FR: "Votre accès", EN: "Your access"}, Body: Text{FR: "Bonjour", EN: "Hello"},
				Link: "https://status.example.net/account/link/x", LinkLabel: Text{FR: "Choisir un mot de passe", EN: "Choose a password"}}}}
		out, err := r.Render(m)
		if err != nil {
			t.Fatal(err)
		}
		if out.Subject != c.subject {
			t.Errorf("%s subject %q, want %q", c.lang, out.Subject, c.subject)
		}
		for _, want := range []string{c.body, c.label, "https://status.example.net/account/link/x"} {
			if !strings.Contains(out.Text, want) || !strings.Contains(out.HTML, want) {
				t.Errorf("%s: %q missing from text or HTML:\n%s", c.lang, want, out.Text)
			}
		}
	}
}
