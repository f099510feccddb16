package auth

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// newTestAudit returns an audit log whose clock stands at start.
func newTestAudit(db *store.DB) *Audit {
	return NewAudit(db, func() time.Time { return start })
}

// recordAll records entries in order, or fails the test.
func recordAll(t *testing.T, a *Audit, entries ...AuditEntry) {
	t.Helper()
	for _, e := range entries {
		if err := a.Record(context.Background(), e); err != nil {
			t.Fatalf("Record(%+v): %v", e, err)
		}
	}
}

// ids returns the IDs of entries.
func ids(entries []AuditEntry) []int64 {
	out := make([]int64, len(entries))
	for i, e := range entries {
		out[i] = e.ID
	}
	return out
}

func TestAuditListFiltersAndPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := newTestAudit(db)
		h := func(n int) time.Time { return start.Add(time.Duration(n) * time.Hour) }
		recordAll(t, a,
			AuditEntry{At: h(0), Actor: "ana@example.org", Action: "sign-in", Addr: "192.0.2.1", OK: true},
			AuditEntry{At: h(1), Actor: "bob@example.org", Action: "sign-in-failed", Addr: "192.0.2.2"},
			AuditEntry{At: h(2), Actor: "ana@example.org", Action: "incident.update", Target: "incident 12", OK: true},
			AuditEntry{At: h(3), Actor: "token:deploy", Action: "channel.create", Target: "channel 3", OK: true},
			AuditEntry{Actor: "ana@example.org", Action: "sign-in", OK: true}, // at start, from the clock
		)
		all, err := a.List(ctx, AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 5 || !slices.IsSortedFunc(all, func(x, y AuditEntry) int { return int(y.ID - x.ID) }) {
			t.Fatalf("List = %+v, want 5 entries newest first", all)
		}
		if got := all[0]; !got.At.Equal(storedUTC(start)) || got.At.Location() != time.UTC || !got.OK {
			t.Fatalf("an entry without a time = %+v, want it at %v", got, storedUTC(start))
		}
		if got := all[3]; got.Actor != "bob@example.org" || got.Action != "sign-in-failed" || got.Addr != "192.0.2.2" || got.OK {
			t.Fatalf("entry read back = %+v", got)
		}
		tests := []struct {
			name   string
			filter AuditFilter
			want   []int64
		}{
			{"actor", AuditFilter{Actor: "ana@example.org"}, []int64{all[0].ID, all[2].ID, all[4].ID}},
			{"action", AuditFilter{Action: "sign-in"}, []int64{all[0].ID, all[4].ID}},
			{"since inclusive", AuditFilter{Since: h(2)}, []int64{all[1].ID, all[2].ID}},
			{"until exclusive", AuditFilter{Until: h(1)}, []int64{all[0].ID, all[4].ID}},
			{"window and actor", AuditFilter{Actor: "ana@example.org", Since: h(1), Until: h(3)}, []int64{all[2].ID}},
			{"after a cursor", AuditFilter{AfterID: all[2].ID}, []int64{all[3].ID, all[4].ID}},
			{"limit", AuditFilter{Limit: 2}, []int64{all[0].ID, all[1].ID}},
		}
		for _, tt := range tests {
			got, err := a.List(ctx, tt.filter)
			if err != nil || !slices.Equal(ids(got), tt.want) {
				t.Errorf("%s: List = %v, %v; want %v", tt.name, ids(got), err, tt.want)
			}
		}
		var paged []AuditEntry
		for cursor, pages := int64(0), 0; ; pages++ {
			if pages > len(all) {
				t.Fatalf("paging does not end: %v so far", ids(paged))
			}
			page, err := a.List(ctx, AuditFilter{AfterID: cursor, Limit: 2})
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			paged = append(paged, page...)
			cursor = page[len(page)-1].ID
		}
		if !slices.Equal(ids(paged), ids(all)) {
			t.Fatalf("pages of 2 = %v, want %v", ids(paged), ids(all))
		}
	})
}

func TestAuditCSVParsesBackAndDefusesFormulas(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := newTestAudit(db)
		tricky := AuditEntry{Actor: "=HYPERLINK(\"http://x\")", Action: "channel.create",
			Target: "+cmd|' /C calc'!A0", Addr: "@SUM(1)", Detail: "-2+3, \"quoted\"\nsecond line", OK: true}
		recordAll(t, a, AuditEntry{Actor: "ana@example.org", Action: "sign-in"}, tricky)
		var buf bytes.Buffer
		if err := a.WriteCSV(ctx, &buf, AuditFilter{}); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatalf("the CSV does not parse: %v\n%s", err, buf.String())
		}
		if len(rows) != 3 || !slices.Equal(rows[0], csvHeader) {
			t.Fatalf("CSV rows = %q, want a header and 2 rows", rows)
		}
		want := []string{"", storedUTC(start).Format(time.RFC3339Nano), "'" + tricky.Actor, "channel.create",
			"'" + tricky.Target, "'" + tricky.Addr, "'" + tricky.Detail, "true"}
		got := rows[1]
		want[0] = got[0]
		if !slices.Equal(got, want) {
			t.Fatalf("CSV row = %q, want %q", got, want)
		}
		if rows[2][2] != "ana@example.org" || rows[2][7] != "false" {
			t.Fatalf("plain CSV row = %q", rows[2])
		}
	})
}

func TestAuditCSVWritesEveryPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := newTestAudit(db)
		const n = MaxAuditLimit + 5
		err := db.InTx(ctx, func(tx *sql.Tx) error {
			for i := range n {
				if err := a.RecordTx(ctx, tx, AuditEntry{Actor: "system", Action: "tick", Target: strconv.Itoa(i)}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct{ limit, want int }{{0, n}, {3, 3}, {MaxAuditLimit + 2, MaxAuditLimit + 2}} {
			var buf bytes.Buffer
			if err := a.WriteCSV(ctx, &buf, AuditFilter{Limit: tt.limit}); err != nil {
				t.Fatal(err)
			}
			rows, err := csv.NewReader(&buf).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(rows)-1 != tt.want || rows[1][4] != strconv.Itoa(n-1) || rows[len(rows)-1][4] != strconv.Itoa(n-tt.want) {
				t.Fatalf("limit %d: %d rows from target %s to %s, want %d from %d", tt.limit, len(rows)-1,
					rows[1][4], rows[len(rows)-1][4], tt.want, n-1)
			}
		}
	})
}

func TestAuditRecordTxFollowsItsTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := newTestAudit(db)
		errAction := errors.New("the action failed")
		err := db.InTx(ctx, func(tx *sql.Tx) error {
			if err := a.RecordTx(ctx, tx, AuditEntry{Actor: "ana@example.org", Action: "incident.update", OK: true}); err != nil {
				return err
			}
			return errAction
		})
		if !errors.Is(err, errAction) {
			t.Fatal(err)
		}
		err = db.InTx(ctx, func(tx *sql.Tx) error {
			return a.RecordTx(ctx, tx, AuditEntry{Actor: "ana@example.org", Action: "channel.create", OK: true})
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := a.List(ctx, AuditFilter{})
		if err != nil || len(got) != 1 || got[0].Action != "channel.create" {
			t.Fatalf("List = %+v, %v; want only the committed entry", got, err)
		}
	})
}

func TestAuditRecordChecksAndCleansEntries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := newTestAudit(db)
		for _, e := range []AuditEntry{{Action: "sign-in"}, {Actor: "ana@example.org"}, {Actor: " \n ", Action: "x"}} {
			if err := a.Record(ctx, e); !errors.Is(err, ErrInvalid) {
				t.Errorf("Record(%+v) = %v, want ErrInvalid", e, err)
			}
		}
		recordAll(t, a, AuditEntry{Actor: "ana@example.org", Action: "sign-in\nforged-line", Target: "a\x00b"})
		got, err := a.List(ctx, AuditFilter{})
		if err != nil || len(got) != 1 || got[0].Action != "sign-in forged-line" || got[0].Target != "a b" {
			t.Fatalf("List = %+v, %v; want control characters turned to spaces", got, err)
		}
	})
}

func TestAuditRetainDeletesOlderEntries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := newTestAudit(db)
		cutoff := start.Add(24 * time.Hour)
		recordAll(t, a,
			AuditEntry{At: start, Actor: "system", Action: "old"},
			AuditEntry{At: cutoff.Add(-time.Microsecond), Actor: "system", Action: "old"},
			AuditEntry{At: cutoff, Actor: "system", Action: "kept"},
		)
		if n, err := a.Retain(ctx, cutoff); err != nil || n != 2 {
			t.Fatalf("Retain = %d, %v; want 2", n, err)
		}
		got, err := a.List(ctx, AuditFilter{})
		if err != nil || len(got) != 1 || got[0].Action != "kept" {
			t.Fatalf("after Retain List = %+v, %v", got, err)
		}
	})
}

// The CSV writer must report a failing destination.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }

func TestAuditCSVReportsWriteErrors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newTestAudit(db)
		recordAll(t, a, AuditEntry{Actor: "system", Action: "x"})
		if err := a.WriteCSV(context.Background(), failingWriter{}, AuditFilter{}); !errors.Is(err, io.ErrClosedPipe) {
			t.Fatalf("WriteCSV to a broken writer = %v", err)
		}
	})
}
