package inventory

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/vigie/vigie/internal/check"
)

// touchesChecks reports whether p may make an effective check stop
// existing or stop being a heartbeat: a check or asset removed, a check
// replaced, an asset's kind changed, a default check put or removed.
func (p *Plan) touchesChecks() bool {
	return len(p.RemoveAssets)+len(p.ChangeAssets)+len(p.AddChecks)+len(p.ChangeChecks)+len(p.RemoveChecks)+
		len(p.PutCheckDefaults)+len(p.RemoveCheckDefaults) > 0
}

// dropOrphanHeartbeats deletes, in the inventory's transaction, the
// heartbeat tokens of checks that are no longer effective heartbeat checks,
// so that a check deleted and created again under the same name gets a new
// token, never its predecessor's. The heartbeats table belongs to package
// heartbeat, which depends on nothing here: a row's check_key has no
// foreign key (effective checks also come from kind defaults), so the sweep
// is what ties a token's life to its check's.
func dropOrphanHeartbeats(ctx context.Context, tx *sql.Tx) error {
	var keys []string
	err := queryEach(ctx, tx, "heartbeat tokens", `SELECT check_key FROM heartbeats`, nil, func(rows *sql.Rows) error {
		var k string
		if err := rows.Scan(&k); err != nil {
			return err
		}
		keys = append(keys, k)
		return nil
	})
	if err != nil || len(keys) == 0 {
		return err
	}
	inv, _, err := loadAll(ctx, tx)
	if err != nil {
		return err
	}
	live := map[string]bool{}
	for _, c := range EffectiveChecks(inv) {
		if c.Kind == check.Heartbeat {
			live[c.Key()] = true
		}
	}
	for _, k := range keys {
		if live[k] {
			continue
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM heartbeats WHERE check_key = $1`, k); err != nil {
			return fmt.Errorf("drop heartbeat token of %s: %w", k, err)
		}
	}
	return nil
}
