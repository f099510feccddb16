package inventory

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"testing"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// TestChangeLogStaysBoundedAndTellsWhenItCannot logs more versions than
// the log keeps: old ones are pruned, a reader within reach gets the
// changes merged, and one further behind is told to reload everything.
func TestChangeLogStaysBoundedAndTellsWhenItCannot(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const last = changeLogKeep + 150
		err := db.InTx(ctx, func(tx *sql.Tx) error {
			for v := int64(1); v <= last; v++ {
				c := invChange{Assets: []string{fmt.Sprintf("site%d", v%7)}}
				if v == last-3 {
					c = invChange{Kinds: []string{"vm"}, Customers: []string{"C1"}}
				}
				if err := logChange(ctx, tx, v, c); err != nil {
					return err
				}
			}
			_, err := tx.ExecContext(ctx, `UPDATE inventory_state SET version = $1 WHERE id = 1`, last)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		var rows int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM inventory_changes`).Scan(&rows); err != nil {
			t.Fatal(err)
		}
		if rows > changeLogKeep+100 {
			t.Fatalf("the log keeps %d rows, want at most %d", rows, changeLogKeep+100)
		}
		merged, to, ok, err := readChanges(ctx, db, last-5)
		if err != nil || !ok || to != last {
			t.Fatalf("readChanges(last-5) = to %d, ok %v, %v", to, ok, err)
		}
		slices.Sort(merged.Assets)
		if len(merged.Assets) != 4 || !slices.Equal(merged.Kinds, []string{"vm"}) || !slices.Equal(merged.Customers, []string{"C1"}) {
			t.Fatalf("merged %+v", merged)
		}
		if _, _, ok, err := readChanges(ctx, db, 10); err != nil || ok {
			t.Fatalf("a reader behind the pruned versions: ok %v, %v; want a full reload", ok, err)
		}
		if _, err := db.ExecContext(ctx, `DELETE FROM inventory_changes WHERE version = $1`, last-1); err != nil {
			t.Fatal(err)
		}
		if _, _, ok, err := readChanges(ctx, db, last-5); err != nil || ok {
			t.Fatalf("a gap in the log: ok %v, %v; want a full reload", ok, err)
		}
	})
}
