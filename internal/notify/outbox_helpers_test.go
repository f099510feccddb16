package notify

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/store"
)

// t0 is the tests' starting time.
var t0 = time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	at time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.at
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.at = t
	c.mu.Unlock()
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.at = c.at.Add(d)
	c.mu.Unlock()
}

func newTestStore(t *testing.T, db *store.DB) (*Store, *clock) {
	t.Helper()
	c := &clock{at: t0}
	st := NewStore(db)
	st.Now = c.Now
	return st, c
}

func addChannel(t *testing.T, st *Store, id string, kind Kind, audiences ...Audience) {
	t.Helper()
	if len(audiences) == 0 {
		audiences = []Audience{AudiencePublic}
	}
	ch := Channel{ID: id, Kind: kind, Audiences: audiences, Enabled: true, Secret: "s3cret-" + id}
	if err := st.AddChannel(context.Background(), &ch); err != nil {
		t.Fatal(err)
	}
}

// item is an incident item.
func item(incident int64, event string, at time.Time) Item {
	return Item{Topic: TopicIncident, Event: event, At: at, IncidentID: incident,
		Title: Text{FR: fmt.Sprintf("Incident %d", incident), EN: fmt.Sprintf("Incident %d", incident)}}
}

// msg is a message of one item to recipient on channel.
func msg(key, channel, recipient string, it Item) *Message {
	return &Message{Key: key, Channel: channel, Recipient: Recipient{Kind: "customer", ID: recipient, Address: recipient + "@example.org", Lang: "fr", Zone: "Europe/Paris"},
		Topic: it.Topic, Thread: fmt.Sprintf("incident/%d", it.IncidentID), IncidentID: it.IncidentID, Items: []Item{it}, NotBefore: it.At}
}

func enqueue(t *testing.T, st *Store, m *Message, window time.Duration) (int64, bool) {
	t.Helper()
	var id int64
	var merged bool
	err := st.db.InTx(context.Background(), func(tx *sql.Tx) error {
		var err error
		id, merged, err = st.Enqueue(context.Background(), tx, m, window)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id, merged
}

func get(t *testing.T, st *Store, id int64) Message {
	t.Helper()
	m, err := st.Message(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func claimIDs(t *testing.T, st *Store, at time.Time, limit int) []int64 {
	t.Helper()
	list, err := st.Claim(context.Background(), at, limit, 2*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, len(list))
	for i, c := range list {
		ids[i] = c.Message.ID
	}
	return ids
}

// recorder is a RecordFunc writing each outcome in the transaction it is
// given, so that a rolled-back outcome leaves no trace.
type recorder struct{}

func (recorder) record(ctx context.Context, tx *sql.Tx, m *Message, outcome string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO notify_settings (name, value) VALUES ($1, $2)`,
		fmt.Sprintf("record-%d-%s", m.ID, outcome), m.Key)
	return err
}

// records counts the outcomes recorded for message id.
func records(t *testing.T, db *store.DB, id int64) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, o := range []string{"sent", "dead"} {
		var n int
		if err := db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM notify_settings WHERE name = $1`,
			fmt.Sprintf("record-%d-%s", id, o)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			out[o] = n
		}
	}
	return out
}
