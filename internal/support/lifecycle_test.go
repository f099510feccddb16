package support_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
	"github.com/vigie/vigie/internal/support"
)

// TestATicketLivesThroughRepliesChangesAndClosing follows one ticket: a
// staff reply makes it wait on the customer, a customer reply opens it
// again, also once resolved; staff's changes are noted; a closed ticket
// takes no more messages; each side is mailed the other's messages.
func TestATicketLivesThroughRepliesChangesAndClosing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		tk := f.open(t, "C1", alice, "alice-blog", "  Blog down  ")
		if tk.Status != support.Open || tk.Priority != support.Normal || tk.Subject != "Blog down" || tk.OpenedBy != "alice@example.org" {
			t.Fatalf("opened %+v", tk)
		}
		status := func(want support.Status) {
			t.Helper()
			got, err := f.st.Ticket(ctx, tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != want {
				t.Fatalf("status %s, want %s", got.Status, want)
			}
		}
		f.now = f.now.Add(time.Minute)
		if _, err := f.st.StaffReply(ctx, tk.ID, ana, "Looking at it.", nil, ""); err != nil {
			t.Fatal(err)
		}
		status(support.Waiting)
		if _, err := f.st.CustomerReply(ctx, "C1", tk.ID, albert, "Still down.", nil); err != nil {
			t.Fatal(err)
		}
		status(support.Open)
		resolved, high, who := support.Resolved, support.High, "ANA@host.example"
		changed, err := f.st.Change(ctx, tk.ID, ana, support.Change{Status: &resolved, Priority: &high, Assignee: &who})
		if err != nil {
			t.Fatal(err)
		}
		if changed.Status != support.Resolved || changed.Priority != support.High || changed.Assignee != "ana@host.example" {
			t.Fatalf("changed %+v", changed)
		}
		if _, err := f.st.CustomerReply(ctx, "C1", tk.ID, alice, "It broke again.", nil); err != nil {
			t.Fatal(err)
		}
		status(support.Open)
		closed := support.Closed
		if _, err := f.st.Change(ctx, tk.ID, ana, support.Change{Status: &closed}); err != nil {
			t.Fatal(err)
		}
		_, err = f.st.CustomerReply(ctx, "C1", tk.ID, alice, "Hello?", nil)
		if invalidField(t, err) != "status" {
			t.Errorf("a reply to a closed ticket: %v", err)
		}
		if _, err := f.st.StaffReply(ctx, tk.ID, ana, "Late word.", nil, ""); invalidField(t, err) != "status" {
			t.Errorf("a staff reply to a closed ticket: %v", err)
		}
		open := support.Open
		if _, err := f.st.Change(ctx, tk.ID, ana, support.Change{Status: &open}); invalidField(t, err) != "status" {
			t.Errorf("closed → open: %v", err)
		}
		th, err := f.st.Thread(ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, m := range th.Messages {
			kinds = append(kinds, string(m.AuthorKind)+map[bool]string{true: "/note"}[m.Internal])
		}
		want := []string{"customer", "staff", "customer", "staff/note", "customer", "staff/note"}
		if !slices.Equal(kinds, want) {
			t.Errorf("thread %q, want %q", kinds, want)
		}
		if note := th.Messages[3].Body; note != "status: open → resolved; priority: normal → high; assignee: none → ana@host.example" {
			t.Errorf("change note %q", note)
		}
		// Staff hear of the customer's messages (everyone who may answer
		// until someone took it, then the assignee); the contacts who
		// wrote hear of staff's answer, each in their language.
		var to []string
		for _, m := range f.mail.list() {
			to = append(to, m.To.Kind+" "+m.To.ID+" "+m.To.Lang)
		}
		want = []string{"staff ana@host.example fr", "staff ben@host.example fr", "contact alice@example.org fr",
			"staff ana@host.example fr", "staff ben@host.example fr", "staff ana@host.example fr"}
		if !slices.Equal(to, want) {
			t.Errorf("mails to %q\nwant %q", to, want)
		}
		answer := f.mail.list()[2]
		if !strings.Contains(answer.Body.FR, "Looking at it.") || answer.Link != "https://vigie.example.org/account/tickets/"+itoa(tk.ID) ||
			!strings.HasPrefix(answer.Subject.EN, "[Ticket #"+itoa(tk.ID)+"] Blog down") {
			t.Errorf("the answer's mail: %+v", answer)
		}
	})
}

// TestStaffRepliesAndChangesRefuseWhatTheyCannotDo: bad moves, assignees
// who cannot take tickets and empty texts change nothing.
func TestStaffRepliesAndChangesRefuseWhatTheyCannotDo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		tk := f.open(t, "C2", bob, "", "A question")
		for _, who := range []string{"nobody@host.example", "vic@host.example"} {
			if _, err := f.st.Change(ctx, tk.ID, ana, support.Change{Assignee: &who}); invalidField(t, err) != "assignee" {
				t.Errorf("assign %s: %v", who, err)
			}
		}
		if _, err := f.st.StaffReply(ctx, tk.ID, ana, "Done?", nil, support.Open); err != nil {
			t.Errorf("a reply keeping the ticket open: %v", err)
		}
		if _, err := f.st.StaffReply(ctx, tk.ID, ana, "   ", nil, ""); invalidField(t, err) != "body" {
			t.Errorf("an empty reply: %v", err)
		}
		got, err := f.st.Thread(ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Ticket.Status != support.Open || got.Ticket.Assignee != "" || len(got.Messages) != 2 {
			t.Errorf("after refusals: %+v with %d messages", got.Ticket, len(got.Messages))
		}
		if _, err := f.st.Ticket(ctx, 999); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("ticket 999: %v", err)
		}
		if _, err := support.ParseStatus("status", "pending"); invalidField(t, err) != "status" {
			t.Error("status pending was taken")
		}
	})
}

// TestNotesAndOthersTicketsNeverReachACustomer: a customer's views never
// hold staff's notes nor their files, and another customer's ticket is
// not found by any way in, with nothing changed.
func TestNotesAndOthersTicketsNeverReachACustomer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		tk := f.open(t, "C1", alice, "alice-shop", "Shop slow")
		other := f.open(t, "C2", bob, "bob-bakery", "Bakery slow")
		secret := support.Upload{Name: "notes.txt", Data: []byte("the customer's password is on the wiki")}
		if _, err := f.st.Note(ctx, tk.ID, ana, "Customer is on the old PHP.", []support.Upload{secret}); err != nil {
			t.Fatal(err)
		}
		staff, err := f.st.Thread(ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		noteFile := staff.Messages[1].Attachments[0].ID
		th, err := f.st.CustomerThread(ctx, "C1", tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(th.Messages) != 1 || th.Messages[0].Internal {
			t.Errorf("the customer sees %d messages: %+v", len(th.Messages), th.Messages)
		}
		if _, _, err := f.st.OpenAttachment(ctx, "C1", noteFile); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the customer opened a note's file: %v", err)
		}
		if _, file, err := f.st.OpenAttachment(ctx, "", noteFile); err != nil {
			t.Errorf("staff cannot open a note's file: %v", err)
		} else {
			_ = file.Close()
		}
		// Bob, of C2, at Alice's ticket.
		if _, err := f.st.CustomerThread(ctx, "C2", tk.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another customer's thread: %v", err)
		}
		if _, err := f.st.CustomerReply(ctx, "C2", tk.ID, bob, "Mine now", nil); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a reply to another customer's ticket: %v", err)
		}
		if _, err := f.st.CustomerThread(ctx, "", tk.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a thread read with no customer: %v", err)
		}
		list, err := f.st.CustomerTickets(ctx, "C2", 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].ID != other.ID {
			t.Errorf("C2's tickets %+v, want only theirs", list)
		}
		after, err := f.st.Thread(ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(after.Messages) != 2 || after.Ticket.Status != support.Open {
			t.Errorf("Alice's ticket changed: %+v", after)
		}
		// Opening on an asset of someone else's, or on none that exists,
		// says the same.
		for _, asset := range []string{"bob-bakery", "no-such-site", "hv01"} {
			_, err := f.st.Open(ctx, support.NewTicket{Customer: "C1", Asset: asset, Subject: "x", Body: "y", By: alice})
			var ie *support.InvalidError
			if !errors.As(err, &ie) || ie.Field != "asset" || ie.Message != `"`+asset+`" is not one of your assets` {
				t.Errorf("open on %s: %v", asset, err)
			}
		}
	})
}

// TestMessagesStandWithoutAMailChannel: with no e-mail channel for the
// audience, answers are recorded all the same, only not mailed.
func TestMessagesStandWithoutAMailChannel(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		if err := f.mail.st.DeleteChannel(ctx, "mail"); err != nil {
			t.Fatal(err)
		}
		tk := f.open(t, "C2", bob, "bob-bakery", "Bakery slow")
		if _, err := f.st.StaffReply(ctx, tk.ID, ana, "Better now?", nil, ""); err != nil {
			t.Fatal(err)
		}
		th, err := f.st.Thread(ctx, tk.ID)
		if err != nil || len(th.Messages) != 2 || th.Ticket.Status != support.Waiting {
			t.Fatalf("thread %+v %v", th, err)
		}
		if n := len(f.mail.list()); n != 0 {
			t.Errorf("%d mails queued without a channel", n)
		}
	})
}
