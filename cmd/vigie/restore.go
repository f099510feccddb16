package main

import (
	"context"
	"fmt"

	"github.com/vigie/vigie/internal/store"
)

func runRestore(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "restore", "--from FILE [--db sqlite:PATH] [--no-keep]",
		"Replace a SQLite database with a verified snapshot; refused while vigie serve runs on it (on PostgreSQL, use pg_restore)")
	db := dbFlag(fs, e)
	from := fs.String("from", "", "the snapshot to restore, as written by vigie backup")
	noKeep := fs.Bool("no-keep", false, "do not keep the replaced database as PATH.before-restore-TIMESTAMP")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(rest); err != nil {
		return err
	}
	if *from == "" {
		return fmt.Errorf("%w: --from is required", errUsage)
	}
	r, err := store.Restore(ctx, *from, *db, store.RestoreOptions{KeepPrevious: !*noKeep})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: restored from %s\n", *db, describeSnapshot(r.Snapshot))
	if r.Previous != "" {
		fmt.Fprintf(e.stdout, "previous database kept as %s\n", r.Previous)
	}
	return nil
}
