package store

import (
	"fmt"
	"net/url"
	"strings"
)

// postgresRefusal says that what (backup, restore) is pg_dump's job on
// PostgreSQL, with the commands to run on the database at where (a URL
// without its password).
func postgresRefusal(what, where string) error {
	target, schema := pgToolTarget(where)
	var password string
	if strings.Contains(target, ":"+redactedPassword+"@") {
		password = "\n  (the password shows as " + redactedPassword + ": put it back, or set PGPASSWORD)"
	}
	return fmt.Errorf("%s of %s: %w; use PostgreSQL's tools:\n"+
		"  back up:  pg_dump --format=custom%s --file=vigie.dump %q\n"+
		"  restore:  pg_restore --clean --if-exists --dbname=%q vigie.dump%s",
		what, where, ErrNotSQLite, schema, target, target, password)
}

// pgToolTarget returns the address for pg_dump and pg_restore and their
// schema option: libpq refuses the search_path parameter pgx accepts, so it
// moves to --schema.
func pgToolTarget(where string) (target, schemaFlag string) {
	u, err := url.Parse(where)
	if err != nil {
		return where, ""
	}
	q := u.Query()
	if s := q.Get("search_path"); s != "" {
		schemaFlag = " --schema=" + s
		q.Del("search_path")
		u.RawQuery = q.Encode()
	}
	return u.String(), schemaFlag
}
