package inventory

import (
	"context"
	"database/sql"
)

// Addressed returns the assets that have an address (name and address
// only), for matching alerts by host.
func (s *Service) Addressed(ctx context.Context) ([]Asset, error) {
	var out []Asset
	err := queryEach(ctx, s.db, "assets with an address", `SELECT name, address FROM assets WHERE address <> '' ORDER BY name`, nil,
		func(rows *sql.Rows) error {
			var a Asset
			if err := rows.Scan(&a.Name, &a.Address); err != nil {
				return err
			}
			out = append(out, a)
			return nil
		})
	return out, err
}
