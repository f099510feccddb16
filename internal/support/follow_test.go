package support_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
	"github.com/vigie/vigie/internal/support"
)

// linksOf returns the incidents ticket id is linked to, as "id how".
func (f *fixture) linksOf(t *testing.T, id int64) []string {
	t.Helper()
	th, err := f.st.Thread(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range th.Links {
		out = append(out, itoa(l.IncidentID)+" "+l.How)
	}
	return out
}

// TestALaterIncidentLinksTheTicketsThatCameFirst: an incident detected
// after customers wrote links the live tickets on its scope opened within
// the window before, records the earliest as its first customer contact,
// and so counts as told by a customer first; tickets too old, elsewhere,
// on no asset or no longer live stay apart; a ticket opened during the
// incident is linked at once.
func TestALaterIncidentLinksTheTicketsThatCameFirst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		detected := f.now.Add(30 * time.Minute)
		f.now = detected.Add(-3 * time.Hour)
		old := f.open(t, "C2", bob, "bob-bakery", "Slow since yesterday")
		f.now = detected.Add(-40 * time.Minute)
		first := f.open(t, "C1", alice, "alice-blog", "Blog down")
		f.now = detected.Add(-20 * time.Minute)
		elsewhere := f.open(t, "C3", support.Actor{Kind: support.ByCustomer, Name: "Carla"}, "carla-cards", "Cards down")
		noAsset := f.open(t, "C1", alice, "", "Invoice")
		done := f.open(t, "C2", bob, "bob-bakery", "Bakery down")
		resolved := support.Resolved
		if _, err := f.st.Change(ctx, done.ID, ana, support.Change{Status: &resolved}); err != nil {
			t.Fatal(err)
		}
		f.now = detected
		inc := f.incidentOn(t, "hv01")
		f.follow(t)
		f.follow(t)
		id := itoa(inc.ID)
		for _, c := range []struct {
			ticket support.Ticket
			want   []string
		}{{first, []string{id + " incident"}}, {old, nil}, {elsewhere, nil}, {noAsset, nil}, {done, nil}} {
			if got := f.linksOf(t, c.ticket.ID); !slices.Equal(got, c.want) {
				t.Errorf("ticket %q linked to %q, want %q", c.ticket.Subject, got, c.want)
			}
		}
		f.now = detected.Add(10 * time.Minute)
		during := f.open(t, "C1", albert, "alice-shop", "Shop down too")
		f.follow(t)
		if got := f.linksOf(t, during.ID); !slices.Equal(got, []string{id + " opened"}) {
			t.Errorf("a ticket opened during the incident is linked to %q", got)
		}
		got, err := f.inc.Get(ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.FirstCustomerContactAt == nil || !got.FirstCustomerContactAt.Equal(first.CreatedAt) || !got.CustomerFirst() {
			t.Errorf("first contact %v (customer first %v), want the first ticket's %v", got.FirstCustomerContactAt, got.CustomerFirst(), first.CreatedAt)
		}
		s, err := f.st.Stats(ctx, detected.Add(-time.Hour), detected.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if s.CustomerFirst != 1 || s.Linked != 2 {
			t.Errorf("stats: customer first %d, linked %d; want 1 and 2", s.CustomerFirst, s.Linked)
		}
		list, err := f.st.List(ctx, support.Filter{Incident: inc.ID})
		if err != nil || len(list) != 2 || list[0].ID != during.ID || list[1].ID != first.ID || !slices.Equal(list[1].Incidents, []int64{inc.ID}) {
			t.Errorf("tickets of the incident: %+v %v", list, err)
		}
	})
}

// TestTheTicketsOfAMergedIncidentFollowIt: when an incident is merged
// into another, its tickets are linked to that one too.
func TestTheTicketsOfAMergedIncidentFollowIt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		lower := f.incidentOn(t, "web-01")
		tk := f.open(t, "C1", alice, "alice-blog", "Blog down")
		// The higher incident comes past the window: only the merge links.
		f.now = f.now.Add(3 * time.Hour)
		upper := f.incidentOn(t, "hv01")
		lower.Status, lower.MergedInto = incident.Merged, upper.ID
		if err := f.inc.Update(ctx, &lower, incident.Event{At: f.now, Type: incident.EventMerged, Text: "merged"}); err != nil {
			t.Fatal(err)
		}
		f.follow(t)
		want := []string{itoa(lower.ID) + " opened", itoa(upper.ID) + " incident"}
		if got := f.linksOf(t, tk.ID); !slices.Equal(got, want) {
			t.Errorf("links %q, want %q", got, want)
		}
	})
}

// TestAResolvedIncidentTellsItsLiveTicketsOnce: each open or waiting
// ticket linked to the incident gets Vigie's message in its customer's
// language and zone, mailed to its contacts; a ticket already resolved
// is not told; a second trigger tells no one twice, a second resolution
// tells again; staff then resolve the linked tickets together.
func TestAResolvedIncidentTellsItsLiveTicketsOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		inc := f.incidentOn(t, "hv01")
		a := f.open(t, "C1", alice, "alice-blog", "Blog down")
		b := f.open(t, "C2", bob, "bob-bakery", "Bakery down")
		c := f.open(t, "C1", albert, "alice-shop", "Shop down")
		resolved := support.Resolved
		if _, err := f.st.Change(ctx, c.ID, ana, support.Change{Status: &resolved}); err != nil {
			t.Fatal(err)
		}
		f.follow(t)
		sent := len(f.mail.list())
		f.now = time.Date(2026, 12, 7, 3, 12, 0, 0, time.UTC)
		resolve := func() {
			t.Helper()
			st := incident.Resolved
			if _, err := incident.Edit(ctx, f.inc, inc.ID, incident.EditRequest{Status: &st}, "ana", f.now); err != nil {
				t.Fatal(err)
			}
			f.follow(t)
		}
		resolve()
		told := func(id int64) []string {
			t.Helper()
			th, err := f.st.CustomerThread(ctx, map[int64]string{a.ID: "C1", b.ID: "C2", c.ID: "C1"}[id], id)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, m := range th.Messages {
				if m.AuthorKind == support.BySystem {
					out = append(out, m.Body)
				}
			}
			return out
		}
		n := itoa(inc.ID)
		fr := "L'incident n° " + n + ", lié à cette demande, est résolu depuis le 7 déc. 2026 à 04:12 (CET)."
		en := "Incident #" + n + ", linked to this ticket, was resolved on 6 Dec 2026 at 22:12 (EST)."
		if got := told(a.ID); len(got) != 1 || !strings.HasPrefix(got[0], fr) {
			t.Errorf("Alice's ticket was told %q, want %q", got, fr)
		}
		if got := told(b.ID); len(got) != 1 || !strings.HasPrefix(got[0], en) {
			t.Errorf("Bob's ticket was told %q, want %q", got, en)
		}
		if got := told(c.ID); len(got) != 0 {
			t.Errorf("a resolved ticket was told %q", got)
		}
		mails := f.mail.list()[sent:]
		var to []string
		for _, m := range mails {
			to = append(to, m.To.ID+" "+m.To.Lang)
			if !strings.Contains(m.Subject.In(m.To.Lang), map[string]string{"fr": "incident résolu", "en": "incident resolved"}[m.To.Lang]) {
				t.Errorf("subject %q", m.Subject.In(m.To.Lang))
			}
		}
		if !slices.Equal(to, []string{"alice@example.org fr", "bob@example.org en"}) {
			t.Errorf("mails to %q", to)
		}
		// Another status entry, then a second resolution.
		if err := f.inc.AddEvent(ctx, &incident.Event{IncidentID: inc.ID, At: f.now, Type: incident.EventStatus, Text: "status noted"}); err != nil {
			t.Fatal(err)
		}
		f.follow(t)
		if got := told(a.ID); len(got) != 1 {
			t.Errorf("told %d times after a second trigger", len(got))
		}
		st := incident.Investigating
		if _, err := incident.Edit(ctx, f.inc, inc.ID, incident.EditRequest{Status: &st}, "ana", f.now); err != nil {
			t.Fatal(err)
		}
		f.now = f.now.Add(time.Hour)
		resolve()
		if got := told(a.ID); len(got) != 2 {
			t.Errorf("told %d times after a second resolution, want 2", len(got))
		}
		done, err := f.st.ResolveLinked(ctx, inc.ID, ana)
		if err != nil {
			t.Fatal(err)
		}
		if len(done) != 2 || done[0].ID != b.ID || done[1].ID != a.ID || done[0].Status != support.Resolved {
			t.Errorf("resolved together %+v, want Bob's and Alice's", done)
		}
		if again, err := f.st.ResolveLinked(ctx, inc.ID, ana); err != nil || len(again) != 0 {
			t.Errorf("resolving again: %v %v", again, err)
		}
	})
}
