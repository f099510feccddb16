package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/vigie/vigie/internal/store"
)

func runBackup(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "backup", "--out FILE [--db DSN]",
		"Write a consistent snapshot of a live SQLite database to FILE and verify it (on PostgreSQL, use pg_dump)")
	db := dbFlag(fs, e)
	out := fs.String("out", "", "the snapshot file to write; it must not exist")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(rest); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("%w: --out is required", errUsage)
	}
	// Opening creates a missing SQLite file: a mistyped path would back up
	// a new, empty database.
	if path, ok := strings.CutPrefix(*db, "sqlite:"); ok {
		if _, err := os.Stat(path); err != nil {
			return fmt.Errorf("database %s: %w", *db, err)
		}
	}
	d, err := store.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer closeApp(e, d)
	snap, err := store.Backup(ctx, d, *out)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: wrote %s\n", d.Where, describeSnapshot(snap))
	return nil
}

// describeSnapshot says what a verified snapshot holds, on one line.
func describeSnapshot(s store.Snapshot) string {
	rows := make([]string, 0, len(s.Rows))
	for _, r := range s.Rows {
		rows = append(rows, fmt.Sprintf("%s %d", r.Table, r.Rows))
	}
	return fmt.Sprintf("%s (%s, schema version %d, integrity ok, %d tables; %s)",
		s.Path, byteSize(s.Size), s.SchemaVersion, s.Tables, strings.Join(rows, ", "))
}

// byteSize prints n bytes in the largest binary unit it reaches.
func byteSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
